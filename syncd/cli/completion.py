"""`syncd completion bash|zsh|fish`: a shell completion script, generated from syncd's own
command line (so it lists the installed providers' connect commands too).

    syncd completion bash > ~/.local/share/bash-completion/completions/syncd
    syncd completion zsh > "${fpath[1]}/_syncd"
    syncd completion fish > ~/.config/fish/completions/syncd.fish
"""

from __future__ import annotations

import argparse
import shlex
import sys

from syncd.cli.common import Add

Table = dict[str, tuple[list[str], list[str]]]


def _table(parser: argparse.ArgumentParser, path: str = "", out: Table | None = None) -> Table:
    """'config' -> (['init', 'validate', 'sample'], ['--config', ...]) for every command path."""
    out = {} if out is None else out
    words: list[str] = []
    options = [o for a in parser._actions for o in a.option_strings if o.startswith("--")]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                words.append(name)
                _table(sub, f"{path} {name}".strip(), out)
    out[path] = (words, options)
    return out


def bash(table: Table) -> str:
    cases = "\n".join(
        f"        {shlex.quote(path) if path else '""'}) words={shlex.quote(' '.join(w + o))} ;;"
        for path, (w, o) in sorted(table.items())
    )
    return f"""# bash completion for syncd (syncd completion bash)
_syncd() {{
    local cur=${{COMP_WORDS[COMP_CWORD]}} path="" word words i
    for ((i = 1; i < COMP_CWORD; i++)); do
        word=${{COMP_WORDS[i]}}
        [[ $word == -* ]] && continue
        case "$path${{path:+ }}$word" in
{_known(table)}) path="$path${{path:+ }}$word" ;;
        esac
    done
    case "$path" in
{cases}
        *) words="" ;;
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
}}
complete -o default -F _syncd syncd
"""


def _known(table: Table) -> str:
    return "            " + " | ".join(shlex.quote(p) for p in sorted(table) if p)


def zsh(table: Table) -> str:
    # zsh's own `words` (the command line) and `path` (tied to $PATH) are not ours to reuse
    cases = "\n".join(
        f"        {shlex.quote(path) if path else '""'}) candidates=({' '.join(w + o)}) ;;"
        for path, (w, o) in sorted(table.items())
    )
    return f"""#compdef syncd
# zsh completion for syncd (syncd completion zsh > "${{fpath[1]}}/_syncd")
_syncd() {{
    local cmdpath="" word
    local -a candidates
    for word in ${{words[2,CURRENT-1]}}; do
        [[ $word == -* ]] && continue
        case "$cmdpath${{cmdpath:+ }}$word" in
{_known(table)}) cmdpath="$cmdpath${{cmdpath:+ }}$word" ;;
        esac
    done
    case "$cmdpath" in
{cases}
    esac
    compadd -- $candidates
}}
_syncd "$@"
"""


def fish(table: Table) -> str:
    lines = ["# fish completion for syncd (syncd completion fish > ~/.config/fish/completions/syncd.fish)"]
    for path, (words, options) in sorted(table.items()):
        parts = path.split()
        if not parts:
            cond = "__fish_use_subcommand"
        else:
            seen = " && ".join(f"__fish_seen_subcommand_from {p}" for p in parts)
            cond = f"{seen}; and not __fish_seen_subcommand_from {' '.join(words)}" if words else seen
        if words:
            lines.append(f"complete -c syncd -f -n {shlex.quote(cond)} -a {shlex.quote(' '.join(words))}")
        for option in options:
            lines.append(f"complete -c syncd -n {shlex.quote(cond)} -l {option.removeprefix('--')}")
    return "\n".join(lines) + "\n"


def cmd_completion(args: argparse.Namespace) -> int:
    table = _table(args._parser)  # the parser main() built, every command in it
    sys.stdout.write({"bash": bash, "zsh": zsh, "fish": fish}[args.shell](table))
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], add: Add) -> None:
    p = add("completion", cmd_completion, "print a shell completion script: bash, zsh or fish")
    p.add_argument("shell", choices=("bash", "zsh", "fish"))
