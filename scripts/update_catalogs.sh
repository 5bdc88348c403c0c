#!/usr/bin/env bash
# Re-extract every user-visible string into translations/messages.pot and merge it into the
# five catalogs (new messages arrive untranslated; tests/i18n/test_catalogs.py then fails until
# they are translated).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg \
    -k N_ -k N_plural:1,2 -k ngettext:1,2 -k pgettext:1c,2 -k translate_in:2 -k ngettext_in:2,3 \
    --no-location --sort-output --project "NEASCN Desktop" --version 0.1.0 \
    --msgid-bugs-address "secretariat@neascn.invalid" --copyright-holder "NEASCN task force" \
    -o translations/messages.pot .
for lang in ko zh_Hans ja ru mn; do
    po="translations/$lang/LC_MESSAGES/messages.po"
    if [ -f "$po" ]; then
        pybabel update --no-fuzzy-matching --ignore-obsolete -l "$lang" -d translations \
            -i translations/messages.pot
    else
        pybabel init -l "$lang" -d translations -i translations/messages.pot
    fi
done
pybabel compile -d translations --statistics -f -D messages 2>&1 | sed 's/^/  /'
rm -f translations/*/LC_MESSAGES/*.mo
