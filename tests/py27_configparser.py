"""Report what Python 2.7's ConfigParser makes of INI bytes (runs on Python 2.7).

Protocol: one JSON object per line on stdin, ``{"cases": [...]}``, each case
``{"global": TEXT, "shadow": TEXT or null}`` where TEXT contains the file's
bytes as latin-1 code points.  For each request one JSON line comes back on
stdout: ``{"results": [...]}``, one result per case with the keys
``global``, ``shadow`` (each file read alone) and ``merged`` (the global
file with the shadow file copied over it the way Autotest's settings module
does).  Strings in results are latin-1 code points of bytes, too.

The file stays inside the Python 2 and 3 common subset so linters can read
it, but it only runs meaningfully under Python 2.7.
"""

import json
import sys
from io import BytesIO

import ConfigParser


def _text(data):
    return data.decode("latin-1")


def _bytes(text):
    return text.encode("latin-1")


def _read(data):
    """Return a parser holding ``data``, or a description of its error."""
    parser = ConfigParser.ConfigParser()
    try:
        parser.readfp(BytesIO(data), "<case>")
    except ConfigParser.MissingSectionHeaderError as error:
        return None, ["MissingSectionHeaderError", [error.lineno]]
    except ConfigParser.ParsingError as error:
        return None, ["ParsingError", [number for number, _ in error.errors]]
    return parser, None


def _get(parser, section, option):
    """Return [value, None] or [None, error kind] for ``get()``."""
    try:
        return [_text(parser.get(section, option)), None]
    except ConfigParser.InterpolationMissingOptionError:
        return [None, "missing"]
    except ConfigParser.InterpolationDepthError:
        return [None, "depth"]
    except Exception:  # noqa: BLE001  (Autotest crashes on any other error)
        return [None, "crash"]


def _describe(parser):
    """List sections, options, raw values and ``get()`` results, in order."""
    sections = []
    for section in parser.sections():
        options = []
        for option in parser.options(section):
            raw = parser.get(section, option, raw=True)
            options.append([_text(option), _text(raw)] + _get(parser, section, option))
        sections.append([_text(section), options])
    defaults = [[_text(k), _text(v)] for k, v in parser.defaults().items()]
    return {"error": None, "sections": sections, "defaults": defaults}


def _merge(config, shadow):
    """Copy ``shadow`` over ``config`` as Autotest's settings module does.

    Returns None, or where the merge stopped: ["section", name] when
    add_section() rejects a name, ["option", section, option, kind] when
    the shadow parser's get() fails.
    """
    for section in shadow.sections():
        if not config.has_section(section):
            try:
                config.add_section(section)
            except ValueError:
                return ["section", _text(section)]
        for option in shadow.options(section):
            value, kind = _get(shadow, section, option)
            if kind is not None:
                return ["option", _text(section), _text(option), kind]
            config.set(section, option, _bytes(value))
    return None


def _case(case):
    result = {}
    config, error = _read(_bytes(case["global"]))
    result["global"] = {"error": error} if error else _describe(config)
    result["shadow"] = None
    result["merged"] = result["global"]
    if case["shadow"] is None:
        return result
    shadow, shadow_error = _read(_bytes(case["shadow"]))
    result["shadow"] = {"error": shadow_error} if shadow_error else _describe(shadow)
    if error:
        result["merged"] = {"error": ["global"]}
    elif shadow_error:
        result["merged"] = {"error": ["shadow"]}
    else:
        stop = _merge(config, shadow)
        result["merged"] = {"error": stop} if stop else _describe(config)
    return result


def main():
    for line in iter(sys.stdin.readline, ""):
        request = json.loads(line)
        results = [_case(case) for case in request["cases"]]
        sys.stdout.write(json.dumps({"results": results}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
