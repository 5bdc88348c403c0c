#!/usr/bin/env bash
# Sign a built "NEASCN Desktop.app" for distribution: every Mach-O inside first, then the app,
# with the hardened runtime (notarisation requires it) and a secure timestamp.
#   bash scripts/sign_macos.sh "dist/NEASCN Desktop.app" "Developer ID Application: NAME (TEAMID)"
set -euo pipefail
app="$1"
identity="$2"
entitlements="$(dirname "$0")/../packaging/macos/entitlements.plist"
find "$app/Contents" -type f \( -name "*.dylib" -o -name "*.so" -o -perm -u+x \) -print0 |
    while IFS= read -r -d '' file; do
        if file "$file" | grep -q "Mach-O"; then
            codesign --force --timestamp --options runtime --entitlements "$entitlements" \
                --sign "$identity" "$file"
        fi
    done
codesign --force --timestamp --options runtime --entitlements "$entitlements" --sign "$identity" "$app"
codesign --verify --deep --strict --verbose=2 "$app"
