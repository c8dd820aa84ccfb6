"""The LLM that writes explanations and proposals: Claude, or a local OpenAI-compatible server.

``CONTACTPRO_IMPROVE_LLM=anthropic`` uses Claude (the key of ``CONTACTPRO_IMPROVE_LLM_API_KEY``
or ``ANTHROPIC_API_KEY``); ``openai`` uses any server speaking OpenAI's chat completions API
(Ollama, llama.cpp's server, vLLM) at ``CONTACTPRO_IMPROVE_LLM_BASE_URL``, so conversations
never leave the building. Empty: no LLM, and the callers write their text by rules. Callers
mask personal data before building a prompt; this module sends what it is given.
"""

from __future__ import annotations

from typing import Protocol

from contactpro.config import Settings
from contactpro.errors import LLMError

MAX_TOKENS = 700
DEFAULT_LOCAL_MODEL = "llama3.1"


class Writer(Protocol):
    """Write a text from a system instruction and a prompt."""

    name: str

    def write(self, system: str, prompt: str) -> str:
        """Return the model's text; raise LLMError on failure."""


class AnthropicWriter:
    """Claude through the Messages API."""

    def __init__(self, settings: Settings) -> None:
        self.name = f"anthropic:{settings.improve_llm_model or settings.llm_model}"
        self.model = settings.improve_llm_model or settings.llm_model
        # The SDKs load with the writer that uses them: the analytics and the commands' help
        # import this module without paying for either.
        import anthropic  # noqa: PLC0415

        self.client = anthropic.Anthropic(
            api_key=settings.improve_llm_api_key or settings.anthropic_api_key or "unset",
            base_url=settings.improve_llm_base_url or settings.llm_base_url or None,
            timeout=settings.improve_llm_timeout_seconds,
            max_retries=0,
        )

    def write(self, system: str, prompt: str) -> str:
        """Ask Claude once; a time-out or an error is an LLMError."""
        import anthropic  # noqa: PLC0415 - see __init__

        try:
            response = self.client.messages.create(
                model=self.model,
                max_tokens=MAX_TOKENS,
                system=system,
                messages=[{"role": "user", "content": prompt}],
            )
        except anthropic.APITimeoutError:
            raise LLMError("the LLM did not answer in time", reason="llm_timeout") from None
        except anthropic.APIError as exc:
            raise LLMError(
                f"the LLM failed: {exc.__class__.__name__}", reason="llm_error"
            ) from None
        except ValueError:  # a 200 whose body is not JSON
            raise LLMError(
                "the LLM answered something unreadable", reason="llm_malformed"
            ) from None
        texts = [
            block.text for block in getattr(response, "content", None) or [] if block.type == "text"
        ]
        return _checked("".join(texts))


class OpenAIWriter:
    """A local model through an OpenAI-compatible chat completions endpoint."""

    def __init__(self, settings: Settings) -> None:
        self.model = settings.improve_llm_model or DEFAULT_LOCAL_MODEL
        self.name = f"openai:{self.model}"
        import openai  # noqa: PLC0415 - see AnthropicWriter

        self.client = openai.OpenAI(
            api_key=settings.improve_llm_api_key or "local",
            base_url=settings.improve_llm_base_url,
            timeout=settings.improve_llm_timeout_seconds,
            max_retries=0,
        )

    def write(self, system: str, prompt: str) -> str:
        """Ask the local model once; a time-out or an error is an LLMError."""
        import openai  # noqa: PLC0415 - see AnthropicWriter

        try:
            response = self.client.chat.completions.create(
                model=self.model,
                max_tokens=MAX_TOKENS,
                temperature=0.2,
                messages=[
                    {"role": "system", "content": system},
                    {"role": "user", "content": prompt},
                ],
            )
        except openai.APITimeoutError:
            raise LLMError("the LLM did not answer in time", reason="llm_timeout") from None
        except openai.APIError as exc:
            raise LLMError(
                f"the LLM failed: {exc.__class__.__name__}", reason="llm_error"
            ) from None
        except ValueError:  # a 200 whose body is not JSON
            raise LLMError(
                "the LLM answered something unreadable", reason="llm_malformed"
            ) from None
        choices = getattr(response, "choices", None) or []
        message = getattr(choices[0], "message", None) if choices else None
        return _checked(getattr(message, "content", None))


def _checked(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise LLMError("the LLM answered no text", reason="llm_malformed")
    return text.strip()


def writer_for(settings: Settings) -> Writer | None:
    """Return the configured writer, or None when no LLM is configured."""
    if settings.improve_llm == "anthropic":
        return AnthropicWriter(settings)
    if settings.improve_llm == "openai":
        return OpenAIWriter(settings)
    return None
