#!/usr/bin/env python3
"""Turns tlslab's own --help output into a man page or a bash completion script.

The help text in the program is the only copy of the command-line documentation: this script runs the built binary
(`tlslab --help`, then `tlslab COMMAND --help` for every command that help lists, recursively) and converts what it
prints. Run at build time by packaging/CMakeLists.txt:

    helpdoc.py man TLSLAB_BINARY OUTPUT --version V --date YYYY-MM-DD [--extra FRAGMENT.roff]
    helpdoc.py bash-completion TLSLAB_BINARY OUTPUT

The parser understands both the hand-written top-level help and QCommandLineParser's layout:
    Usage: ...             -> synopsis
    Heading:               -> a section ("Options:", "Arguments:", "Commands (...):")
      TERM   description   -> an entry; deeper-indented lines continue the description
    anything else          -> a paragraph
"""

import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

HELP_TIMEOUT_S = 20
# Option values and arguments named like this complete as file names (PREFIX: a path that files are named after).
FILE_PLACEHOLDER = re.compile(r"\b(FILE|PATH|PREFIX)\b")


class Entry:
    def __init__(self, term, text):
        self.term = term
        self.text = text


class Section:
    def __init__(self, title, note):
        self.title = title  # e.g. "Options"
        self.note = note  # e.g. the "(each prints JSON lines ...)" after a heading, without the parentheses
        self.entries = []


class Help:
    def __init__(self, path):
        self.path = path  # the command words after "tlslab", e.g. ["cert", "new"]
        self.usage = []
        self.paragraphs = []
        self.sections = []
        self.children = []

    def section(self, title):
        for s in self.sections:
            if s.title.lower() == title.lower():
                return s
        return None

    def commands(self):
        """Subcommands: those under a "Commands:" heading, and those the usage lines show after this command."""
        out = []
        s = self.section("Commands")
        for e in s.entries if s else []:
            if re.fullmatch(r"[a-z][a-z0-9-]*", e.term.split()[0]):
                out.append(e.term.split()[0])
        prefix = ["tlslab", *self.path]
        for u in self.usage:
            words = u.split()
            if words[:len(prefix)] == prefix and len(words) > len(prefix):
                if re.fullmatch(r"[a-z][a-z0-9-]*", words[len(prefix)]) and words[len(prefix)] not in out:
                    out.append(words[len(prefix)])
        return out

    def options(self):
        """(names, placeholder) for every option this command takes."""
        s = self.section("Options")
        out = []
        for e in s.entries if s else []:
            m = re.match(r"^((?:-{1,2}[\w][\w-]*(?:, )?)+)\s*(?:<([^>]+)>)?", e.term)
            if m:
                out.append(([n.strip() for n in m.group(1).split(",") if n.strip()], m.group(2)))
        return out

    def arguments(self):
        s = self.section("Arguments")
        return [e.term for e in s.entries] if s else []

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


def run_help(binary, path):
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    # Keep the build away from the user's real settings and data, whatever --help might touch.
    with tempfile.TemporaryDirectory(prefix="tlslab-helpdoc-") as home:
        env["HOME"] = home
        env["XDG_CONFIG_HOME"] = os.path.join(home, "config")
        env["XDG_DATA_HOME"] = os.path.join(home, "data")
        env["TLSLAB_DATA_DIR"] = os.path.join(home, "tlslab")
        env["XDG_RUNTIME_DIR"] = home  # mode 0700 already; Qt warns when it is unset
        env["LC_ALL"] = "C.UTF-8"
        env.setdefault("ASAN_OPTIONS", "detect_leaks=0")  # an asan build must not fail the build over --help
        result = subprocess.run([binary, *path, "--help"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                timeout=HELP_TIMEOUT_S, check=False)
    text = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0 or not text.strip():
        sys.exit("helpdoc: '%s %s --help' failed (exit %d): %s"
                 % (binary, " ".join(path), result.returncode, result.stderr.decode("utf-8", "replace").strip()))
    return text


def parse(text, path):
    h = Help(path)
    section = None
    entry = None
    entry_indent = 0
    paragraph = []

    def flush_paragraph():
        if paragraph:
            h.paragraphs.append(" ".join(paragraph))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            flush_paragraph()
            entry = None
            continue
        indent = len(line) - len(line.lstrip())
        if line.startswith("Usage: "):
            flush_paragraph()
            h.usage.append(line[len("Usage: "):].strip())
            section = None
            continue
        heading = re.fullmatch(r"([A-Z][A-Za-z ]*?)(?: \((.*)\))?:", line) if indent == 0 else None
        if heading:
            flush_paragraph()
            section = Section(heading.group(1), heading.group(2))
            h.sections.append(section)
            entry = None
            continue
        if section is None and indent > 0 and h.usage and not paragraph and line.lstrip().startswith("tlslab "):
            h.usage.append(line.strip())  # a further usage line, aligned under the first
            continue
        if section is not None and indent > 0:
            if entry is not None and indent > entry_indent and not line.lstrip().startswith("-"):
                entry.text = (entry.text + " " + line.strip()).strip()
                continue
            parts = re.split(r"\s{2,}", line.strip(), maxsplit=1)
            entry = Entry(parts[0], parts[1] if len(parts) > 1 else "")
            entry_indent = indent
            section.entries.append(entry)
            continue
        # Free text (the description QCommandLineParser prints under "Usage:", or a hand-written paragraph).
        section = None
        entry = None
        paragraph.append(line.strip())
    flush_paragraph()
    return h


def collect(binary, path=(), depth=0):
    h = parse(run_help(binary, list(path)), list(path))
    expected = " ".join(["tlslab", *path])
    if path and not any(u == expected or u.startswith(expected + " ") for u in h.usage):
        # The command is listed but does not answer --help with its own usage (not written yet, or broken). Leave it
        # out rather than document the wrong text; the packaging_man_page test reports the gap.
        print("helpdoc: warning: '%s --help' did not print 'Usage: %s ...'; left out" % (expected, expected),
              file=sys.stderr)
        return None
    if depth < 3:
        for command in h.commands():
            child = collect(binary, (*path, command), depth + 1)
            if child:
                h.children.append(child)
    return h


# --- man page -------------------------------------------------------------------------------------------------------

def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def roff_term(term):
    """Option names bold, placeholders italic: "--cert <FILE>" -> \\fB\\-\\-cert\\fR \\fIFILE\\fR."""
    def one(token):
        if token.startswith("<") and token.endswith(">"):
            return "\\fI" + roff(token[1:-1]) + "\\fR"
        return "\\fB" + roff(token) + "\\fR"
    return " ".join(one(t) for t in term.split(" "))


def roff_usage(h):
    name = " ".join(["tlslab", *h.path])
    lines = []
    for u in h.usage:
        rest = u[len(name):].strip() if u.startswith(name) else u
        lines.append("\\fB%s\\fR %s" % (roff(name), roff(rest)))
    return lines


def roff_sections(h, out, skip=()):
    for s in h.sections:
        if s.title in skip:
            continue
        out.append(".PP")
        out.append("\\fB%s\\fR" % roff(s.title) + (" (%s)" % roff(s.note) if s.note else ""))
        for e in s.entries:
            out.append(".TP")
            out.append(roff_term(e.term))
            out.append(roff(e.text))


def man(root, version, date, extra):
    out = [
        '.\\" Generated at build time by packaging/helpdoc.py from the output of "tlslab --help" and of each',
        '.\\" command\'s --help. Do not edit: change the help text in the program instead.',
        '.TH TLSLAB 1 "%s" "TLS Lab %s" "User Commands"' % (date, version),
        ".SH NAME",
        "tlslab \\- inspect TLS connections from both ends",
        ".SH SYNOPSIS",
    ]
    first = True
    for h in root.walk():
        if h is not root and h.children:
            continue  # its subcommands' own usage lines say it better
        for line in roff_usage(h):
            if not first:
                out.append(".br")
            out.append(line)
            first = False
    out.append(".SH DESCRIPTION")
    for p in root.paragraphs:
        out += [".PP", roff(p)]
    commands = root.section("Commands")
    if commands:
        out += [".SH COMMANDS"]
        if commands.note:
            out += [".PP", roff(commands.note[0].upper() + commands.note[1:]) + "."]
        for e in commands.entries:
            out += [".TP", roff_term(e.term), roff(e.text)]
    for h in root.walk():
        if h is root:
            continue
        out.append('.SS "%s"' % roff(" ".join(["tlslab", *h.path])))
        out += [".PP"] + ["\n.br\n".join(roff_usage(h))]
        for p in h.paragraphs:
            out += [".PP", roff(p)]
        roff_sections(h, out)
    options = root.section("Options")
    if options:
        out.append(".SH OPTIONS")
        for e in options.entries:
            out += [".TP", roff_term(e.term), roff(e.text)]
    if extra:
        with open(extra, encoding="utf-8") as f:
            out.append(f.read().rstrip("\n"))
    return "\n".join(out) + "\n"


# --- bash completion ------------------------------------------------------------------------------------------------

def bash_words(words):
    return " ".join(w for w in words if re.fullmatch(r"[\w.:+/,-]+", w))


def completion(root):
    paths = list(root.walk())
    out = [
        "# bash completion for tlslab                                            -*- shell-script -*-",
        "# Generated at build time by packaging/helpdoc.py from the output of \"tlslab --help\" and of each",
        "# command's --help. Do not edit: change the help text in the program instead.",
        "",
        "_tlslab()",
        "{",
        "    local cur prev words cword",
        "    _init_completion || return",
        "",
        "    # Which command the words so far select (\"\", \"serve\", \"cert new\", ...), skipping options and their values.",
        "    local path=\"\" i w",
        "    for ((i = 1; i < cword; i++)); do",
        "        w=${words[i]}",
        "        case \"$path:$w\" in",
    ]
    for h in paths:
        key = " ".join(h.path)
        for c in h.commands():
            nxt = " ".join([*h.path, c])
            out.append("            %s) path=%s ;;" % (bash_quote(key + ":" + c), bash_quote(nxt)))
    takes_value = []
    for h in paths:
        key = " ".join(h.path)
        for names, placeholder in h.options():
            if placeholder:
                takes_value += [key + ":" + n for n in names]
    if takes_value:
        out.append("            %s) ((i++)) ;;" % "|".join(bash_quote(t) for t in takes_value))
    out += [
        "        esac",
        "    done",
        "",
        "    # The value of an option: files for FILE/DIR placeholders, nothing to offer otherwise.",
        "    case \"$path:$prev\" in",
    ]
    files, dirs, free = [], [], []
    for h in paths:
        key = " ".join(h.path)
        for names, placeholder in h.options():
            if not placeholder:
                continue
            target = dirs if re.search(r"\bDIR\b", placeholder) else files if FILE_PLACEHOLDER.search(placeholder) else free
            target += [key + ":" + n for n in names]
    if files:
        out.append("        %s) _filedir; return ;;" % "|".join(bash_quote(t) for t in files))
    if dirs:
        out.append("        %s) _filedir -d; return ;;" % "|".join(bash_quote(t) for t in dirs))
    if free:
        out.append("        %s) return ;;" % "|".join(bash_quote(t) for t in free))
    out += [
        "    esac",
        "",
        "    local opts=\"\" commands=\"\" files=\"\"",
        "    case \"$path\" in",
    ]
    for h in paths:
        opts = [n for names, _ in h.options() for n in names]
        wants_files = any(FILE_PLACEHOLDER.search(a) for a in h.arguments())
        out.append("        %s)" % bash_quote(" ".join(h.path)))
        out.append("            opts=%s" % bash_quote(bash_words(opts)))
        out.append("            commands=%s" % bash_quote(bash_words(h.commands())))
        if wants_files:
            out.append("            files=1")
        out.append("            ;;")
    out += [
        "    esac",
        "",
        "    if [[ $cur == -* ]]; then",
        "        COMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))",
        "    elif [[ -n $commands ]]; then",
        "        COMPREPLY=($(compgen -W \"$commands\" -- \"$cur\"))",
        "    elif [[ -n $files ]]; then",
        "        _filedir",
        "    fi",
        "} &&",
        "    complete -F _tlslab tlslab",
        "",
        "# ex: filetype=sh",
    ]
    return "\n".join(out) + "\n"


def bash_quote(text):
    return "'" + text.replace("'", "'\\''") + "'"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("format", choices=["man", "bash-completion"])
    parser.add_argument("binary")
    parser.add_argument("output")
    parser.add_argument("--version", default="")
    parser.add_argument("--date", default="")
    parser.add_argument("--extra", help="a roff fragment appended to the man page (FILES, ENVIRONMENT, ...)")
    args = parser.parse_args()

    root = collect(args.binary)
    if not root.usage or not root.section("Options"):
        sys.exit("helpdoc: '%s --help' printed no Usage/Options: is it the right program?" % args.binary)
    text = man(root, args.version, args.date, args.extra) if args.format == "man" else completion(root)
    data = text.encode("utf-8")
    if args.output.endswith(".gz"):
        # As `gzip -9n` does: no name and no time stamp in the header, so the package is reproducible.
        data = gzip.compress(data, compresslevel=9, mtime=0)
    # Write via a temporary file so that an interrupted build never leaves half a page behind.
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)


if __name__ == "__main__":
    main()
