#!/usr/bin/env bash
# The layering rule, checked on the sources: a file in src/<layer>/ or a public
# header of <layer> (include/mizani/) includes only headers of its own layer
# and of the layers below it. The table below is the whole rule (the CMake
# targets in src/*/CMakeLists.txt link the same way); docs/architecture.md
# draws it. Exit status 1 lists every offending include.
# Files in apps/ include only the public headers (include/mizani/) and
# files of apps/.
#   scripts/check_layers.sh
set -euo pipefail
cd "$(dirname "$0")/.."

# Layer -> the layers it may include (besides itself).
declare -A allowed=(
  [common]=""
  [numerics]="common"
  [data]="common numerics"
  [io]="common numerics data"
  [estimate]="common numerics data"
  [ge]="common numerics data estimate"
  [report]="common"
  # Engines beside ge: they read files and estimate, and may render.
  [pe]="common numerics data io estimate ge report"
  [finance]="common numerics data io estimate ge report"
  [rating]="common numerics data io estimate ge report"
  [world]="common numerics data io estimate ge report"
  [scenario]="common numerics data io estimate ge report pe finance rating"
  [present]="common numerics data io estimate ge report scenario pe finance rating"
)

# Public headers (include/mizani/<name>.h) -> layer. A header not listed
# belongs to the layer of the same name or prefix (pe_scenario.h -> pe,
# ge_fitted.h -> ge) when that layer exists.
declare -A header_layer=(
  [error]=common [status]=common [source_ref]=common [termination]=common
  [settings]=common [trace]=common [block_cache]=common [communicator]=common [machine]=common
  [table]=data [synth]=data
  [read]=io
  [formula]=estimate [filter]=estimate [estimate]=estimate
  [geppml]=ge
  [report]=report
  [estimate_output]=present [scenario_output]=present
)

layer_of_header() {  # include/mizani/<name>.h -> layer, or empty
  local name=$1
  if [[ -n "${header_layer[$name]:-}" ]]; then
    echo "${header_layer[$name]}"
  elif [[ -n "${allowed[$name]+set}" ]]; then
    echo "$name"
  elif [[ -n "${allowed[${name%%_*}]+set}" ]]; then
    echo "${name%%_*}"
  fi
}

status=0
fail() {
  echo "check_layers: $*" >&2
  status=1
}

check_file() {  # file, its layer
  local file=$1 layer=$2 line_no included target
  while IFS=: read -r line_no included; do
    included=${included#*\"}
    included=${included%%\"*}
    case "$included" in
      mizani/*.h)
        local name=${included#mizani/}
        target=$(layer_of_header "${name%.h}")
        if [[ -z "$target" ]]; then
          fail "$file:$line_no: include/$included has no layer; add it to scripts/check_layers.sh"
          continue
        fi
        ;;
      */*) target=${included%%/*} ;;
      *) continue ;;  # a header beside the file
    esac
    if [[ "$target" == "$layer" || " ${allowed[$layer]} " == *" $target "* ]]; then
      continue
    fi
    if [[ -z "${allowed[$target]+set}" ]]; then
      fail "$file:$line_no: includes \"$included\", which belongs to no layer of src/"
    else
      fail "$file:$line_no: layer '$layer' includes \"$included\" of layer '$target'" \
        "(allowed: ${allowed[$layer]:-none})"
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
}

checked=0
for dir in src/*/; do
  layer=$(basename "$dir")
  if [[ -z "${allowed[$layer]+set}" ]]; then
    fail "src/$layer/ is not in the layer table of scripts/check_layers.sh"
    continue
  fi
  while IFS= read -r file; do
    check_file "$file" "$layer"
    checked=$((checked + 1))
  done < <(find "$dir" -type f \( -name '*.cc' -o -name '*.h' \) | sort)
done
for file in include/mizani/*.h; do
  name=$(basename "$file" .h)
  layer=$(layer_of_header "$name")
  if [[ -z "$layer" ]]; then
    fail "$file has no layer; add it to scripts/check_layers.sh"
    continue
  fi
  check_file "$file" "$layer"
  checked=$((checked + 1))
done

# The applications (apps/) use the library through its public headers only:
# an include is mizani/<name>.h or a file of apps/ (beside the includer, or
# named from apps/, as ticad9/demo.h).
check_app_file() {  # file
  local file=$1 line_no included
  while IFS=: read -r line_no included; do
    included=${included#*\"}
    included=${included%%\"*}
    case "$included" in
      mizani/*.h) [[ -f "include/$included" ]] && continue ;;
      *) [[ -f "$(dirname "$file")/$included" || -f "apps/$included" ]] && continue ;;
    esac
    fail "$file:$line_no: includes \"$included\"; apps/ may include only include/mizani/ and apps/"
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" || true)
}
while IFS= read -r file; do
  check_app_file "$file"
  checked=$((checked + 1))
done < <(find apps -type f \( -name '*.cc' -o -name '*.h' \) | sort)

if [[ $status -eq 0 ]]; then
  echo "check_layers: $checked files, every include within its layer or below, apps/ on the" \
    "public headers"
fi
exit $status
