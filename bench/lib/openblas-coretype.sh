# Sourced by the benchmarks that compare us with Debian's python3-torch. Debian's OpenBLAS picks its kernel from the
# CPU it detects, and on some virtualised Xeons it detects none and falls back to a generic kernel (measured: 65
# GFLOP/s on a 2048^3 float32 matmul at 2 threads, 296 with OPENBLAS_CORETYPE=SKYLAKEX). A baseline running on the
# fallback makes us look several times faster than we are, so: measure the reference's matmul rate as detected, then
# with the kernel the CPU's flags call for, and export OPENBLAS_CORETYPE when that is clearly faster.
#   choose_openblas_coretype /usr/bin/python3
# A value the user set is kept as it is.

openblas_matmul_gflops() { # PYTHON -> GFLOP/s of a float32 2048^3 product on all cores (median of 5)
  "$1" "$(dirname "${BASH_SOURCE[0]}")/matmul_rate.py"
}

choose_openblas_coretype() {
  local python="$1" detected candidate forced
  if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
    echo "OpenBLAS: OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE as set ($(openblas_matmul_gflops "$python") GFLOP/s)" >&2
    return
  fi
  if grep -qw avx512f /proc/cpuinfo; then candidate=SKYLAKEX
  elif grep -qw avx2 /proc/cpuinfo; then candidate=HASWELL
  else
    echo "OpenBLAS: no AVX2/AVX-512 on this CPU, kernel left to detection" >&2
    return
  fi
  detected="$(openblas_matmul_gflops "$python")"
  forced="$(OPENBLAS_CORETYPE=$candidate openblas_matmul_gflops "$python")"
  # 1.3x: clearly another kernel, not noise between two measurements of the same one
  if awk -v d="$detected" -v f="$forced" 'BEGIN { exit !(f > 1.3 * d) }'; then
    export OPENBLAS_CORETYPE="$candidate"
    echo "OpenBLAS: detection gave $detected GFLOP/s, OPENBLAS_CORETYPE=$candidate $forced GFLOP/s: using $candidate" >&2
  else
    echo "OpenBLAS: detection gave $detected GFLOP/s ($candidate forced: $forced), kept" >&2
  fi
}
