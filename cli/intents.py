"""``contactpro intents train|evaluate``: retrain on a team's own labelled traffic."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from cli.errors import counted, stop_on_config_error
from cli.files import named_file
from cli.transcribe import offline_settings
from contactpro.errors import ConfigError, ContactProError, UnderstandingError
from contactpro.nlu.datasets import Example, read_examples
from contactpro.nlu.encoders import ENCODERS, NONE
from contactpro.nlu.taxonomy import OUT_OF_SCOPE
from contactpro.resilience.atomic import check_writable_folder


def _check_labels(examples: list[Example], known: set[str], oos: str, what: str) -> None:
    """Refuse ``examples`` none of whose labels the model knows; warn about the unknown ones.

    ``what`` names the rows (``validation``, ``evaluation``); the out-of-scope label aside.
    """
    in_scope = [ex for ex in examples if ex.label != oos]
    unknown = [ex for ex in in_scope if ex.label not in known]
    names = ", ".join(sorted({ex.label for ex in unknown})[:5])
    if in_scope and len(unknown) == len(in_scope):
        raise click.ClickException(
            f"none of the {what} labels ({names}) is one of the model's intents: "
            "check the file and the label column"
        )
    if unknown:
        click.secho(
            f"Warning: {len(unknown)} of {counted(len(examples), f'{what} row')} "
            f"{'has a label' if len(unknown) == 1 else 'have labels'} the model does not know "
            f"({names}); {'it' if len(unknown) == 1 else 'they'} can never be predicted right",
            fg="yellow",
            err=True,
        )


def _open(path: Path) -> None:
    """Check ``path`` can be opened (inside :func:`named_file`: ``cannot read PATH: why``)."""
    path.open("rb").close()


# Line numbers named of the rows left out; the rest are counted.
SHOWN_LINES = 5


def _lines(numbers: list[int]) -> str:
    """Return ``line 4`` or ``lines 4, 9, 12`` (the first few, then ``and N more``)."""
    shown = ", ".join(str(number) for number in numbers[:SHOWN_LINES])
    more = f" and {len(numbers) - SHOWN_LINES} more" if len(numbers) > SHOWN_LINES else ""
    return f"{'line' if len(numbers) == 1 else 'lines'} {shown}{more}"


def _examples(path: Path) -> list[Example]:
    """Read the labelled rows of ``path``; say on one line which rows were left out for a blank
    text or label, and stop when none is left."""
    with named_file(path):
        _open(path)
        found = read_examples(path)
    left_out = ""
    if found.skipped:
        left_out = (
            f"{counted(len(found.skipped), 'row')} with no text or no label "
            f"({_lines(found.skipped)})"
        )
    if not found.examples:
        raise click.ClickException(
            f"{path} holds no labelled rows{': ' + left_out if left_out else ''}: give every "
            "row a text and a label (a header row naming the text and label columns first)"
        )
    if left_out:
        click.secho(f"Warning: {path}: skipped {left_out}", fg="yellow", err=True)
    return found.examples


class _Progress:
    """Print one line per stage and a percentage for long stages, on stderr."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self._last: tuple[str, int] = ("", -1)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.quiet:
            return
        percent = 100 * done // total if total else 100
        if (stage, percent // 10) == self._last:
            return
        self._last = (stage, percent // 10)
        click.echo(f"{stage}: {done}/{total} ({percent}%)", err=True)


@click.group("intents")
def intents() -> None:
    """Train and evaluate the intent classifier."""


@intents.command("train")
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV or JSONL with text and label columns.",
)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory to write the model artifact into.",
)
@click.option(
    "--val",
    "val_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Validation file for the threshold (default: carve 20% out of --data).",
)
@click.option(
    "--oos-label", default=OUT_OF_SCOPE, show_default=True, help="Label of out-of-scope rows."
)
@click.option(
    "--encoder",
    type=click.Choice(list(ENCODERS)),
    default=None,
    help="Sentence encoder beside the n-grams (default: CONTACTPRO_INTENT_ENCODER, e5).",
)
@click.option(
    "--no-embeddings",
    is_flag=True,
    help="N-grams only: the same as --encoder none.",
)
@click.option(
    "--max-in-scope-loss",
    default=0.02,
    show_default=True,
    type=click.FloatRange(0.0, 1.0),
    help="In-scope accuracy the out-of-scope threshold may cost on validation.",
)
@click.option("--quiet", is_flag=True, help="No progress lines.")
def train_command(
    data_path: Path,
    out_dir: Path,
    val_path: Path | None,
    oos_label: str,
    encoder: str | None,
    no_embeddings: bool,
    max_in_scope_loss: float,
    quiet: bool,
) -> None:
    """Train a model on DATA and write it to OUT with its threshold and metadata."""
    # Loaded here, not with the module: ``-h`` answers without scikit-learn.
    from contactpro.nlu.classifier import TrainConfig, train_model  # noqa: PLC0415

    try:
        train = _examples(data_path)
        validation = None
        if val_path:
            validation = _examples(val_path)
            _check_labels(validation, {ex.label for ex in train}, oos_label, "validation")
        with named_file(out_dir, "write"):  # before the training, not after it
            check_writable_folder(out_dir)
        chosen = NONE if no_embeddings else (encoder or offline_settings().intent_encoder)
        config = TrainConfig(
            encoder=chosen, oos_label=oos_label, max_in_scope_loss=max_in_scope_loss
        )
        model = train_model(train, validation=validation, config=config, progress=_Progress(quiet))
        with named_file(out_dir, "write"):
            model.save(out_dir)
    except ConfigError as exc:  # CONTACTPRO_INTENT_ENCODER
        stop_on_config_error(exc)
    except ContactProError as exc:
        raise click.ClickException(exc.message) from None
    meta = model.metadata
    click.echo(f"model {meta['version']} written to {out_dir}")
    click.echo(
        f"trained on {counted(meta['n_train'], 'row')}, threshold {model.threshold:.3f} picked "
        f"on {counted(meta['n_validation'], 'validation row')} in "
        f"{meta['training_seconds']:.1f}s"
    )
    for name, value in meta["metrics"].items():
        if value is not None:
            click.echo(f"  {name} {value:.4f}")


@intents.command("evaluate")
@click.option(
    "--model",
    "model_dir",
    required=True,
    type=click.Path(path_type=Path),
    help="Model artifact directory.",
)
@click.option(
    "--data",
    "data_path",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV or JSONL with text and label columns.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def evaluate_command(model_dir: Path, data_path: Path, as_json: bool) -> None:
    """Print accuracy, macro-F1, per-intent precision and recall, and confusions."""
    from contactpro.nlu.classifier import IntentModel  # noqa: PLC0415 - see train_command
    from contactpro.nlu.evaluation import evaluate_model, format_report  # noqa: PLC0415

    try:
        model = IntentModel.load(model_dir)
        examples = _examples(data_path)
        _check_labels(examples, set(model.classes), model.config.oos_label, "evaluation")
        report = evaluate_model(model, examples)
    except UnderstandingError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        click.echo()
    else:
        click.echo(format_report(report))
