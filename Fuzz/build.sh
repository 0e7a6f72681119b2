#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/*.swift against the library sources they exercise,
# compiled with -sanitize=fuzzer,address (coverage + AddressSanitizer). SwiftPM cannot build a
# fuzzer, so the modules are compiled by hand in dependency order:
#   SystemShims (C) -> MediaCore -> Containers, StagingWriter -> RTMP, RTSP -> one executable per
#   target (each linked against all of them).
# Usage: Fuzz/build.sh [BUILD_DIR]   (default .build-fuzz); run from the repository root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/.build-fuzz}
mkdir -p "$out"
san=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6)

clang -c -O1 -g -fsanitize=fuzzer-no-link,address -I "$root/Sources/SystemShims/include" \
    "$root/Sources/SystemShims/SystemShims.c" -o "$out/SystemShims.o"

module() {   # module NAME SOURCES_DIR
    local name=$1 dir=$2
    mapfile -t files < <(find "$root/Sources/$dir" -name '*.swift' | sort)
    swiftc "${san[@]}" -module-name "$name" -emit-module -emit-module-path "$out/$name.swiftmodule" \
        -wmo -c -o "$out/$name.o" -I "$out" -Xcc -I"$root/Sources/SystemShims/include" \
        -Xcc -fmodule-map-file="$out/SystemShims.modulemap" "${files[@]}"
}
cat > "$out/SystemShims.modulemap" <<MAP
module SystemShims { header "$root/Sources/SystemShims/include/SystemShims.h" export * }
MAP
module MediaCore MediaCore
module Containers Containers
module StagingWriter StagingWriter
module RTMP RTMP
module RTSP RTSP

for target in "$root"/Fuzz/*Fuzz.swift; do
    name=$(basename "$target" .swift)
    swiftc "${san[@]}" -I "$out" -Xcc -fmodule-map-file="$out/SystemShims.modulemap" \
        "$target" "$out/MediaCore.o" "$out/Containers.o" "$out/StagingWriter.o" "$out/RTMP.o" "$out/RTSP.o" "$out/SystemShims.o" \
        -o "$out/$name" 2> >(grep -v "Cannot export local symbol" >&2)
    echo "built $out/$name"
done
