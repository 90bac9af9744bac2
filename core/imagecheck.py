"""`check-image`: is an image blocked by the scan-findings gate? (Read by deploy jobs.)

The gate Lambda (functions/scan_gate) writes a blocked image under `<repository>@<digest>` and under
`<repository>:<tag>` for each of its tags, so one `GetItem` answers for either form.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from core.types import ECR_REPOSITORY_REGEX

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TAG = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}")
_REPOSITORY = re.compile(ECR_REPOSITORY_REGEX)  # the configuration's rule for repository names


class BadImageRef(ValueError):
    """The argument is not `<repository>@sha256:<64 hex>`, `<repository>:<tag>@sha256:<64 hex>` or
    `<repository>:<tag>`."""


@dataclass(frozen=True)
class ImageRef:
    repository: str
    digest: str | None = None
    tag: str | None = None

    @property
    def key(self) -> str:
        return f"{self.repository}@{self.digest}" if self.digest else f"{self.repository}:{self.tag}"


def parse_ref(text: str) -> ImageRef:
    """`my-app@sha256:…`, `my-app:1.2.3` or `my-app:1.2.3@sha256:…` (the digest wins: it names the
    image, the tag may have moved), optionally behind a registry host (`…amazonaws.com/my-app`)."""
    first, _, rest = text.partition("/")
    if rest and ("." in first or ":" in first):  # a registry host: the key has the repository only
        text = rest
    if "@" in text:
        repository, _, digest = text.partition("@")
        if not _DIGEST.fullmatch(digest):
            raise BadImageRef(f"digest must be sha256:<64 lowercase hex digits>, got {digest!r}")
        tag = None
        if ":" in repository.rsplit("/", 1)[-1]:  # `repo:tag@digest`, as deploy manifests pin images
            repository, _, tag = repository.rpartition(":")
            if not _TAG.fullmatch(tag):
                raise BadImageRef(f"tag must be 1-128 letters, digits, '_', '.', '-', got {tag!r}")
        ref = ImageRef(repository, digest=digest, tag=tag)
    elif ":" in text.rsplit("/", 1)[-1]:
        repository, _, tag = text.rpartition(":")
        if not _TAG.fullmatch(tag):
            raise BadImageRef(f"tag must be 1-128 letters, digits, '_', '.', '-', got {tag!r}")
        ref = ImageRef(repository, tag=tag)
    else:
        raise BadImageRef(
            f"expected <repository>@<digest>, <repository>:<tag>@<digest> or <repository>:<tag>, got {text!r}"
        )
    if not _REPOSITORY.fullmatch(ref.repository):
        raise BadImageRef(f"not an ECR repository name: {ref.repository!r}")
    return ref


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    item: dict[str, Any]

    def describe(self, ref: ImageRef) -> str:
        if not self.blocked:
            return f"not blocked: {ref.key}"
        item = self.item

        def text(name: str) -> str:  # an item written by hand may lack any attribute: never a traceback
            value = item.get(name)
            return str(value.get("S") or value.get("N") or "?") if isinstance(value, dict) else "?"

        raw_counts = item.get("counts", {})
        raw_counts = raw_counts.get("M", {}) if isinstance(raw_counts, dict) else {}
        counts = ", ".join(
            f"{k}={v.get('N', '?') if isinstance(v, dict) else '?'}" for k, v in sorted(raw_counts.items())
        )
        image = f"{text('repository')}@{text('digest')}"
        where = "" if ref.key == image else f" ({image})"  # a tag reference: name the blocked digest
        return (
            f"blocked: {ref.key}{where}: {text('reason')}; counts {counts or '?'}; since {text('blocked_at')}"
        )


def lookup(ref: ImageRef, table: str, region: str) -> Verdict:
    """One GetItem on the blocked-images table; honours AWS_ENDPOINT_URL(_DYNAMODB) (tests, moto)."""
    import boto3

    endpoint = os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL")
    client = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint or None)
    response = client.get_item(TableName=table, Key={"image_ref": {"S": ref.key}}, ConsistentRead=True)
    item = response.get("Item")
    return Verdict(item is not None, item or {})
