"""python -m bench <benchmark> [options]: one line `name: value` per figure."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# name -> module under bench/ (each has add_arguments(parser) and run(args)).
BENCHMARKS = {
    "import": "bench.import_records",
    "expire": "bench.expire_records",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="benchmark", required=True)
    modules = {}
    for name, module_name in BENCHMARKS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue  # not written yet
        modules[name] = module
        module.add_arguments(sub.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0]))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "creditportal.settings")
    import django

    django.setup()
    return modules[args.benchmark].run(args) or 0


if __name__ == "__main__":
    sys.exit(main())
