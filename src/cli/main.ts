#!/usr/bin/env node
// The `latentrec` command.
import { strongProtocolCommand, type StrongFlags } from './strong.js';
import { Command, Option } from 'commander';
import { LatentrecError, OptionError } from '../errors.js';
import { curveCommand, type CurveFlags } from './curve.js';
import { embeddingsCommand } from './embeddings.js';
import { cvCommand, type CvFlags } from './cv.js';
import { demoCommand, type DemoFlags } from './demo.js';
import { addDataOptions, addModelOptions, asFlagError } from './options.js';
import { searchCommand, type SearchFlags } from './search.js';
import { sparkExportCommand, sparkImportCommand, type SparkExportFlags, type SparkImportFlags } from './spark.js';
import { evaluateCommand, recommendCommand, similarCommand, type EvaluateFlags } from './serve.js';
import { trainCommand } from './train.js';
import { removeLiveTempsSync } from '../io/atomic-write-node.js';
import { CommandInterrupted, exitCodeOf } from './signals.js';
import { forTerminal } from './terminal.js';
import { packageVersion } from './version.js';

// A write cut short by an exit (an uncaught error, process.exit) leaves no temp file behind.
process.on('exit', removeLiveTempsSync);

const program = new Command('latentrec')
  .description('matrix-factorization recommenders on a WebAssembly SIMD engine')
  .version(packageVersion(), '-V, --version', 'print the version of latentrec')
  .showHelpAfterError();

addDataOptions(
  addModelOptions(
    program
      .command('train')
      .description('train a model on all of --data (for serving), or hold out a test set (--test, --test-ratio) and report test RMSE/MAE and ranking')
      .requiredOption('--data <file>', 'ratings file')
      .option('--test <file>', 'test ratings file: scored after every epoch and ranked at the end (default: none, all of --data trains)')
      .option('--test-ratio <r>', 'hold out a seeded fraction in (0, 1) of --data as the test set (default: none)')
      .option('--plot <file.svg>', 'write the learning curve (train and test RMSE per epoch) as SVG')
      .option('--save <file.lrec>', 'write the fitted model to a file (atomically, as soon as the fit ends)')
      .option('--patience <n>', 'early stopping: stop after n epochs without improving on a validation holdout of the training data; keep the best epoch')
      .option('--validation-ratio <r>', 'with --patience: the holdout fraction of the training data (default 0.1)')
      .option('--train-rmse <how>', 'pass (default: during each epoch, free) or full (after each epoch, one more pass)')
      .option('--cold-items <r>', 'cold start: hold this fraction of the items out of training entirely (seeded) and rank them for the test users')
      .option('--ranking-users <n>', 'rank a sample of n test users (seeded by --seed; stated in the JSON) instead of every one')
      .option('--no-ranking', 'skip the full-catalogue ranking of the test set (test RMSE/MAE only)')
      .addOption(new Option('--protocol <p>', 'strong: hold out whole users of --data (seeded by --seed), train on the others, score 20 % of each held-out user\'s items from the other 80 % (Recall@20/50, NDCG@100; ranking kinds)').choices(['strong']))
      .option('--heldout-users <r>', 'with --protocol strong: the share of users held out (default 0.2)')
      .option('--json', 'print one JSON object, no progress bar'),
  ),
).action(async (flags: StrongFlags) => {
  if (flags.protocol === 'strong') {
    if (flags.ranking === false || flags.rankingUsers !== undefined) {
      throw new Error(`${flags.ranking === false ? '--no-ranking' : '--ranking-users'} applies to the full ranking of a test set, not to --protocol strong (which scores every held-out user)`);
    }
    await strongProtocolCommand(flags);
  }
  else {
    if (flags.heldoutUsers !== undefined) throw new Error('--heldout-users applies to --protocol strong');
    await trainCommand(flags);
  }
});

addDataOptions(
  addModelOptions(
    program
      .command('cv')
      .description('cross-validate over k seeded folds of a file, or over predefined u1..uN fold files')
      .option('--data <file>', 'ratings file, split into --folds folds')
      .option('--folds <n>', 'number of folds with --data (default 5)')
      .option('--folds-dir <dir>', 'folder with u1.base/u1.test ... uN.base/uN.test')
      .option('--json', 'print one JSON object, no progress bar'),
  ),
).action(async (flags: CvFlags) => {
  await cvCommand(flags);
});

addDataOptions(
  addModelOptions(
    program
      .command('curve')
      .description('overlay the learning curves of several runs in one SVG (e.g. --vary init=random,svd)')
      .requiredOption('--data <file>', 'ratings file')
      .requiredOption('--out <file.svg>', 'where to write the SVG')
      .option('--test <file>', 'test ratings file (default: a seeded 20% holdout of --data)')
      .option('--test-ratio <r>', 'holdout fraction in (0, 1) (default 0.2)')
      .option('--vary <name=v1,v2,...>', 'one run per value of factors, epochs, lr, reg, seed, init, order or model')
      .addOption(new Option('--train-rmse <how>', 'pass (default) or full (after each epoch)').choices(['pass', 'full']))
      .option('--json', 'print one JSON object, no progress bar'),
  ),
).action(async (flags: CurveFlags) => {
  await curveCommand(flags);
});

addDataOptions(
  addModelOptions(
    program
      .command('search')
      .description('grid search with cross-validation: every combination, the full table and the best')
      .requiredOption('--grid <spec>', 'e.g. "factors=50,100;reg=0.02,0.05" (factors, epochs, lr, reg, init, initScale, order, model, seed)')
      .option('--data <file>', 'ratings file, split into --folds folds')
      .option('--folds <n>', 'number of folds with --data (default 5)')
      .option('--folds-dir <dir>', 'folder with u1.base/u1.test ... uN.base/uN.test')
      .option('--json', 'print one JSON object, no progress bar'),
  ),
).action(async (flags: SearchFlags) => {
  await searchCommand(flags);
});

program
  .command('recommend')
  .description('top-N items for a user from a saved model')
  .option('--model-file <file.lrec>', 'model file (latentrec train --save)')
  .addOption(deprecatedModelFlag())
  .option('--user <id>', 'user id')
  .option('--features <names>', 'hybrid models: a new user by attributes, e.g. "gender:F,occupation:writer" (names as in training)')
  .option('-n <n>', 'how many items (default 10)')
  .option('--titles <file>', 'show titles from a MovieLens-style u.item file (id|title|...)')
  .option('--json', 'print one JSON object')
  .addOption(idTypeFlag())
  .action(async (flags) => {
    await recommendCommand(withModelFile(flags));
  });

program
  .command('similar')
  .description('items most similar to an item (cosine of factor vectors) from a saved model')
  .option('--model-file <file.lrec>', 'model file (latentrec train --save)')
  .addOption(deprecatedModelFlag())
  .requiredOption('--item <id>', 'item id')
  .option('-n <n>', 'how many items (default 10)')
  .option('--titles <file>', 'show titles from a MovieLens-style u.item file (id|title|...)')
  .option('--json', 'print one JSON object')
  .addOption(idTypeFlag())
  .action(async (flags) => {
    await similarCommand(withModelFile(flags));
  });

addDataOptions(
  program
    .command('evaluate')
    .description('RMSE/MAE and ranking metrics of a saved model on a test file')
    .option('--model-file <file.lrec>', 'model file (latentrec train --save)')
    .addOption(deprecatedModelFlag())
    .requiredOption('--test <file>', 'test ratings file')
    .option('--k <k>', 'cut-off of the ranking metrics (default 10)')
    .addOption(new Option('--protocol <p>', 'full (rank the whole catalogue minus training items; default) or faq (Surprise\'s: rank each user\'s test items)').choices(['full', 'faq']))
    .option('--relevance <r>', 'a test rating >= r is relevant (default 4)')
    .option('--ranking-users <n>', 'rank a sample of n test users (seeded by --seed; stated in the JSON) instead of every one')
    .option('--no-ranking', 'skip the ranking (RMSE/MAE only)')
    .option('--seed <n>', 'seed of the --ranking-users sample (default 0)')
    .option('--json', 'print one JSON object'),
).action(async (flags: EvaluateFlags) => {
  await evaluateCommand(withModelFile(flags));
});

program
  .command('embeddings')
  .description("a saved model's item (or user) vectors: norms, cosine of random pairs vs nearest neighbours, 2-D PCA as SVG")
  .option('--model-file <file.lrec>', 'model file (latentrec train --save)')
  .addOption(deprecatedModelFlag())
  .option('--svg <file.svg>', 'write the PCA projection, the most popular items labelled')
  .option('--users', 'analyse the user vectors instead of the item vectors')
  .option('--labels <n>', 'how many of the most popular items to label (default 30)')
  .option('--titles <file>', 'label items with titles from a MovieLens-style u.item file (id|title|...)')
  .option('--json', 'print one JSON object')
  .action(async (flags) => {
    await embeddingsCommand(withModelFile(flags));
  });

program
  .command('import')
  .description("a model file from Spark MLlib ALS factors (userFactors / itemFactors written as JSON lines, {\"id\":1,\"features\":[...]})")
  .requiredOption('--spark-users <file.jsonl>', "Spark's userFactors as JSON lines (df.write.json's part file)")
  .requiredOption('--spark-items <file.jsonl>', "Spark's itemFactors as JSON lines")
  .requiredOption('--save <file.lrec>', 'where to write the model file (atomically)')
  .option('--scale <lo,hi>', 'the rating scale predictions are clipped to; Spark does not store one (default 1,5)')
  .option('--json', 'print one JSON object')
  .action(async (flags: SparkImportFlags) => {
    await sparkImportCommand(flags);
  });

program
  .command('export')
  .description("a saved model's factors as Spark MLlib ALS userFactors / itemFactors JSON lines (new files only)")
  .requiredOption('--model-file <file.lrec>', 'model file (latentrec train --save, or import --save)')
  .requiredOption('--spark-users <file.jsonl>', 'where to write the user factors')
  .requiredOption('--spark-items <file.jsonl>', 'where to write the item factors')
  .addOption(new Option('--biases <how>', 'fold (default: μ + b_u and b_i as extra feature columns, so the dot product is the model\'s score) or drop').choices(['fold', 'drop']))
  .option('--json', 'print one JSON object')
  .action(async (flags: SparkExportFlags) => {
    await sparkExportCommand(flags);
  });

addModelOptions(
  program
    .command('demo')
    .description('train SVD on MovieLens 100k (--data PATH/u.data) or a built-in generated set, and show what it learned')
    .option('--data <file>', 'MovieLens u.data (or any ratings file)')
    .option('--user <id>', 'user to recommend for (default: user "1", else the first)')
    .option('--json', 'print one JSON object, no progress bar'),
).action((flags: DemoFlags) => demoCommand(flags));

/**
 * `--model` named a model file in recommend, similar, evaluate and embeddings but a model kind in
 * train: those commands now take `--model-file`, and `--model FILE` still works there for this
 * version, with a note on stderr.
 */
function deprecatedModelFlag(): Option {
  return new Option('--model <file.lrec>', 'deprecated name of --model-file').hideHelp();
}

/** The library's `idType`: ids in the JSON as strings (default) or numbers. */
function idTypeFlag(): Option {
  return new Option('--id-type <type>', "ids in the JSON as strings (default) or numbers (the model's ids must be integers)").choices(['string', 'number']);
}

function withModelFile<T extends { model?: string; modelFile?: string }>(flags: T): T & { model: string } {
  const { model, modelFile } = flags;
  if (model !== undefined && modelFile !== undefined && model !== modelFile) {
    throw new Error('give the model file once, with --model-file (--model is its old name)');
  }
  const path = modelFile ?? model;
  if (path === undefined) throw new Error("required option '--model-file <file.lrec>' not specified");
  if (modelFile === undefined) process.stderr.write('note: --model FILE is deprecated in this command; use --model-file FILE (in train, --model names a model kind)\n');
  return { ...flags, model: path };
}

program.parseAsync(process.argv).catch((raw: unknown) => {
  if (raw instanceof CommandInterrupted) {
    console.error(forTerminal(`latentrec: ${raw.message}`, { keepNewlines: true }));
    process.exitCode = exitCodeOf(raw.signal);
    return;
  }
  // Options the library checks late (e.g. k against the data's size) still name the flag.
  const error = asFlagError(raw);
  const known = error instanceof LatentrecError || (error instanceof Error && !(error instanceof TypeError));
  // A preset chose the value the user never typed: say so, and how to override it.
  const args = process.argv.slice(2);
  const hint =
    error instanceof OptionError && args.includes('--preset') && !args.includes(error.option) && error.option.startsWith('--')
      ? ` (the preset set ${error.option} ${String(error.value)}; pass ${error.option} to override it)`
      : '';
  // Messages quote ids and values from data and model files: printed inert (see terminal.ts).
  console.error(forTerminal(`latentrec: ${error instanceof Error ? error.message : String(error)}${hint}`, { keepNewlines: true }));
  if (!known && error instanceof Error && error.stack) console.error(forTerminal(error.stack, { keepNewlines: true }));
  process.exitCode = 1;
});
