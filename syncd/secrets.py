"""Secret references (`env:`, `credential:`, `keyring:`) and masking secrets out of URLs."""

from __future__ import annotations

import os
import re
from pathlib import Path

from syncd.errors import ConfigError

PREFIXES = ("env:", "credential:", "keyring:")
KEYRING_SERVICE = "syncd"
MASK = "****"

# systemd credential names are file names: no slashes, and not "." or "..".
_CREDENTIAL_NAME = re.compile(r"[A-Za-z0-9_.@:+-]+")

# Schemes whose host is a real server name worth showing; any other scheme may carry a
# token where a host would be (pover://USER@TOKEN, tgram://BOT:TOKEN/...), so it is masked.
_HOST_SCHEMES = frozenset(
    {
        "json",
        "jsons",
        "xml",
        "xmls",
        "form",
        "forms",
        "ntfy",
        "ntfys",
        "gotify",
        "gotifys",
        "mailto",
        "mailtos",
        "http",
        "https",
    }
)

# Query arguments known to hold settings, not secrets; every other value is masked.
_SAFE_QUERY_KEYS = frozenset(
    {
        "priority",
        "format",
        "overflow",
        "cto",
        "rto",
        "verify",
        "mode",
        "method",
        "image",
        "sound",
        "retry",
        "wait",
        "optional",
    }
)


def is_reference(value: object) -> bool:
    """True if `value` is a string like `env:NAME`, `credential:NAME` or `keyring:NAME`."""
    if not isinstance(value, str):
        return False
    return any(value.startswith(p) and len(value) > len(p) for p in PREFIXES)


def resolve(ref: str) -> str:
    """The secret a reference points to; raises ConfigError naming the reference and the fix."""
    if not is_reference(ref):
        # Never echo the value: it may be a secret pasted where a reference belongs.
        raise ConfigError(
            ["expected a secret reference (env:NAME, credential:NAME or keyring:NAME), not a literal value"]
        )
    kind, _, name = ref.partition(":")
    if kind == "env":
        return _from_env(ref, name)
    if kind == "credential":
        return _from_credentials(ref, name)
    return _from_keyring(ref, name)


def _from_env(ref: str, name: str) -> str:
    """The value of environment variable `name`."""
    value = os.environ.get(name)
    if value is None:
        raise ConfigError(
            [
                f"{ref}: the environment variable {name} is not set; set it in the "
                f"service's environment (systemd: Environment= or EnvironmentFile=)"
            ]
        )
    if not value:
        raise ConfigError([f"{ref}: the environment variable {name} is empty"])
    return value


def _credential_file(name: str) -> tuple[Path, str]:
    """Where the credential `name` is read from, and how that place was chosen: the file in
    $CREDENTIALS_DIRECTORY (systemd's LoadCredential=, a container's /run/secrets); else the
    user's own ~/.config/syncd/credentials/NAME if it exists; else /etc/syncd/credentials/NAME
    (the files the unit loads, for the commands the admin runs as the service's user)."""
    from syncd.paths import SYSTEM_CREDENTIALS, user_config_path

    directory = os.environ.get("CREDENTIALS_DIRECTORY")
    if directory:
        return Path(directory) / name, "$CREDENTIALS_DIRECTORY"
    own = user_config_path().parent / "credentials" / name
    if own.exists():
        return own, "your own credentials"
    return SYSTEM_CREDENTIALS / name, "CREDENTIALS_DIRECTORY is not set, so"


def _from_credentials(ref: str, name: str) -> str:
    """The credential `name` (`_credential_file`), minus one trailing newline."""
    from syncd.paths import SYSTEM_CREDENTIALS, user_config_path

    if not _CREDENTIAL_NAME.fullmatch(name) or name in (".", ".."):
        raise ConfigError([f"{ref}: {name!r} is not a valid credential name (a file name, no '/')"])
    path, how = _credential_file(name)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        if how.startswith("$"):
            raise ConfigError(
                [
                    f"{ref}: no credential {name} in {path.parent} ($CREDENTIALS_DIRECTORY); add "
                    f"LoadCredential={name}:/path/to/secret to the [Service] section of the unit"
                ]
            ) from None
        own = user_config_path().parent / "credentials" / name
        raise ConfigError(
            [
                f"{ref}: no file {path} ({how} syncd looked there, and in {own}); for the service: "
                f"sudo install -m 0640 -g syncd /dev/stdin {SYSTEM_CREDENTIALS / name} and "
                f"LoadCredential={name}:{SYSTEM_CREDENTIALS / name} in the unit; for yourself: "
                f"install -D -m 0600 /dev/stdin {own}"
            ]
        ) from None
    except PermissionError:
        raise ConfigError(
            [
                f"{ref}: {path} cannot be read by uid {os.geteuid()} (permission denied); it needs "
                f"mode 0640, owner root and the group of the user syncd runs as: sudo chgrp syncd "
                f"{path} && sudo chmod 0640 {path}"
            ]
        ) from None
    except OSError as exc:
        raise ConfigError([f"{ref}: cannot read {path}: {exc.strerror}"]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError([f"{ref}: {path} is not UTF-8 text"]) from None
    # Files written with `echo` end in a newline that is not part of the secret.
    text = text.removesuffix("\n")
    if not text:
        raise ConfigError([f"{ref}: the credential file {path} is empty"])
    return text


def _from_keyring(ref: str, name: str) -> str:
    """The password stored in the system keyring under service "syncd" and `name`."""
    fix = f"store it with: keyring set {KEYRING_SERVICE} {name}"
    try:
        import keyring  # lazy: backend discovery is slow and often unused
        from keyring.errors import KeyringError
    except ImportError:
        raise ConfigError(
            [
                f"{ref}: the keyring package is not installed; install it or use "
                f"env:{name} or credential:{name}"
            ]
        ) from None
    try:
        value = keyring.get_password(KEYRING_SERVICE, name)
    except KeyringError as exc:
        raise ConfigError(
            [
                f"{ref}: the system keyring cannot be used ({type(exc).__name__}); "
                f"on a server use credential:{name} instead, or {fix}"
            ]
        ) from None
    if not value:
        raise ConfigError([f"{ref}: the keyring has no secret {name}; {fix}"])
    return value


def mask_url(url: str) -> str:
    """`url` with every part that may be secret replaced by `****` or a short prefix of it."""
    return _split_url(url)[0]


def secret_parts(url: str) -> list[str]:
    """The substrings of `url` that `mask_url` hides, longest first (for scrubbing logs)."""
    return sorted(set(_split_url(url)[1]), key=len, reverse=True)


def _mask(value: str, keep: int) -> str:
    """`value` cut to `keep` leading characters plus MASK; short values lose even those."""
    # Keeping a prefix of a short value would give away too large a share of it.
    return (value[:keep] if len(value) >= 6 else "") + MASK


def _split_url(url: str) -> tuple[str, list[str]]:
    """The masked URL and the list of substrings it hides."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        return MASK, [url]
    rest, hash_sep, fragment = rest.partition("#")
    rest, query_sep, query = rest.partition("?")
    authority, slash, path = rest.partition("/")
    scheme_l = scheme.lower()
    has_path = bool(path.strip("/"))
    auth_text, hidden = _mask_authority(scheme_l, authority, has_path)
    path_text, path_hidden = _mask_path(path)
    query_text, query_hidden = _mask_query(query)
    hidden += path_hidden + query_hidden
    masked = f"{scheme}://{auth_text}{slash}{path_text}"
    if query_sep:
        masked += "?" + query_text
    if hash_sep:
        masked += "#" + MASK
        hidden.append(fragment)
    return masked, [h for h in hidden if h]


def _mask_authority(scheme: str, authority: str, has_path: bool) -> tuple[str, list[str]]:
    """Masked `[user[:password]@]host[:port]` and the parts it hides."""
    userinfo, at, hostport = authority.rpartition("@")
    hidden: list[str] = []
    # ntfys://TOPIC (no path) is ntfy.sh with the topic where the host would be.
    host_is_name = scheme in _HOST_SCHEMES and (has_path or scheme not in ("ntfy", "ntfys"))
    if host_is_name:
        host_text = hostport
    else:
        host_text = _mask(hostport, 1)
        # tgram://BOT_ID:TOKEN: the token alone may show up in a service's own log lines.
        hidden += [hostport, *hostport.split(":")]
    if not at:
        return host_text, hidden
    user, colon, password = userinfo.partition(":")
    if colon:
        hidden.append(password)
        password_text = ":" + MASK
    else:
        password_text = ""
    # A user with no password is usually a token (ntfy tk_..., Pushover user key).
    if host_is_name and colon and "/" not in user:
        user_text = user
    else:
        user_text = _mask(user, 1)
        hidden.append(user)
    return f"{user_text}{password_text}@{host_text}", hidden


def _mask_path(path: str) -> tuple[str, list[str]]:
    """Masked path segments (topics, tokens, webhook ids) and the segments hidden."""
    segments = path.split("/")
    return "/".join(_mask(s, 2) if s else s for s in segments), [s for s in segments if s]


def _mask_query(query: str) -> tuple[str, list[str]]:
    """The query with every value outside the known-harmless settings masked."""
    items: list[str] = []
    hidden: list[str] = []
    for item in query.split("&"):
        key, eq, value = item.partition("=")
        if not item or (eq and key.lower() in _SAFE_QUERY_KEYS):
            items.append(item)
        elif eq:
            items.append(f"{key}={MASK}")
            hidden.append(value)
        else:
            items.append(MASK)
            hidden.append(item)
    return "&".join(items), hidden
