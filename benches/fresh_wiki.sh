# Sourced by the bench scripts: builds the release binary and starts a fresh dev wiki with the
# templates installed, on a free port, removed again when the script exits.
# Sets: dir, port, bot, config.
dir=$(mktemp -d /tmp/partnerbot-bench-XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
trap 'deploy/devwiki stop "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT

cargo build --release --locked --quiet
bot=${CARGO_TARGET_DIR:-target}/release/partnerbot
deploy/devwiki up "$dir" "$port" >/dev/null
config=$dir/partnerbot.toml
"$bot" -q --config "$config" templates install >/dev/null
