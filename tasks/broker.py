"""The embedded broker: Kombu's folder queue, with messages written atomically.

Kombu's filesystem transport creates a message file and then writes into it, so a worker polling
the folder can open it in between and read nothing (and stop with a JSON error). Writing to a
temporary name and renaming it into place makes every message appear whole.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    """A folder channel whose messages appear only once fully written."""

    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = final + ".part"
        try:
            with open(partial, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"cannot add file {final!r} to the queue folder") from exc


class Transport(filesystem.Transport):
    """The folder transport with atomic writes."""

    Channel = Channel
