#!/usr/bin/env bash
# Refresh the Simplified Chinese catalogue after changing user-facing strings:
#   scripts/messages.sh          makemessages (no source locations, so parallel
#                                branches merge cleanly), drop duplicate entries
#                                a merge may leave, compile the .mo
# Then translate every empty or fuzzy entry in locale/zh_Hans/LC_MESSAGES/django.po
# and run it again (tests/cross/test_translations.py fails until you do).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-$PWD/.venv/bin/python}
if [[ ! -x $PY ]]; then  # a git worktree: the main checkout's virtualenv
    PY=$(cd "$(git rev-parse --git-common-dir)/.." && pwd)/.venv/bin/python
fi
PO=locale/zh_Hans/LC_MESSAGES/django.po
if [[ -f $PO ]]; then
    # A union merge can leave an entry twice (both branches touched it): keep the first.
    msguniq --use-first --no-location --width=120 -o "$PO.tmp" "$PO" && mv "$PO.tmp" "$PO"
fi
"$PY" manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=var --ignore=test-artifacts --ignore='.worktrees/*'
# makemessages (msgmerge) wraps at 79 columns when it changes the file: wrap it back at 120 so that every
# branch writes the same layout (a union merge of two wrappings of one entry doubles its msgid).
msgcat --no-location --width=120 -o "$PO.tmp" "$PO" && mv "$PO.tmp" "$PO"
"$PY" manage.py compilemessages --ignore=.venv --ignore=var
grep -c '^msgid' "$PO" | sed 's/^/entries: /'
