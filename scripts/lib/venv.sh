# Shared by scripts/*: create .venv and install the project when pyproject.toml changed since the last install.
# Usage: . scripts/lib/venv.sh; ensure_venv [extras]
ensure_venv() {
  local extras="${1:-}"
  local py="${PYTHON:-}"
  if [ -z "$py" ]; then
    for candidate in python3.11 python3.12 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
    done
  fi
  if ! "$py" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 13) else 1)'; then
    echo "Courtyard needs Python 3.11 or 3.12 (found: $("$py" --version 2>&1))" >&2
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
    echo "installing Python packages${extras:+ ($extras)}"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-compile -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
  fi
}
