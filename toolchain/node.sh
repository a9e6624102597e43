# Source it: puts Node.js at the project's floor (config/versions.json) first on PATH where this
# machine's is older, built once into the toolchain's cache by `toolchain/run.sh node`.
#   . toolchain/node.sh && npm ci && npm run up
_arroyo_pi_toolchain="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
_arroyo_pi_node=$(node -p "require('$_arroyo_pi_toolchain/../config/versions.json').node")
if [ "$(node -p 'process.versions.node.split(".")[0]')" -lt "${_arroyo_pi_node%%.*}" ]; then
    "$_arroyo_pi_toolchain/run.sh" node &&
        export PATH="${ARROYO_PI_CACHE:-$HOME/.cache/arroyo-pi}/node-$_arroyo_pi_node/bin:$PATH"
fi
echo "[toolchain] node: $(node --version) at $(command -v node)" >&2
unset _arroyo_pi_toolchain _arroyo_pi_node
