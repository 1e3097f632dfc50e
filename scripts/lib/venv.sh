# Shared by scripts/*: create .venv and install the project when pyproject.toml changed since the last install.
# Usage: . scripts/lib/venv.sh; ensure_venv [extras]

# pip, minus one warning: a machine whose pip configuration lists local indexes or find-links (file:// URLs) gets
# "WARNING: Location '…' is ignored: …" for every package one of them lacks (dozens per install), which buries
# whatever else pip says. Everything else pip writes, and its exit status, stay as they are.
quiet_pip() {
  { .venv/bin/python -m pip "$@" 2>&1 1>&3 3>&- | sed -u "/^WARNING: Location '[^']*' is ignored/d" >&2; } 3>&1
  return "${PIPESTATUS[0]}"
}

ensure_venv() {
  local extras="${1:-}"
  local py="${PYTHON:-}"
  if [ -z "$py" ]; then
    for candidate in python3.11 python3.12 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
    done
  fi
  if [ -z "$py" ] || ! "$py" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
    echo "Courtyard needs Python 3.11 or 3.12 (found: $( [ -n "$py" ] && "$py" --version 2>&1 || echo none))" >&2
    return 1
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $py"
    "$py" -m venv .venv
  fi
  local stamp=".venv/.courtyard-installed${extras:+-$extras}"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "installing Python packages${extras:+ ($extras)} (a minute or two the first time)"
    quiet_pip install --quiet --disable-pip-version-check --upgrade pip
    quiet_pip install --quiet --disable-pip-version-check --no-compile -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}
