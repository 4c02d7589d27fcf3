# Sourced by .ci/run: Debian's Chromium for the browser test (tests/sim/test_browser.py), which
# drives it through Playwright; Playwright's own browser download is never used. Idempotent:
# nothing happens when /usr/bin/chromium is already there.
if [ ! -x /usr/bin/chromium ]; then
    echo "ci: installing Debian's chromium for the browser test"
    if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium
fi
export CALLSIM_CHROMIUM=/usr/bin/chromium
