#!/bin/sh
# Makes sure the headless browser of the dashboard page's tests is there (run by `npm test` through `pretest`).
# The tests drive Debian's `chromium` with playwright-core (Playwright's own browser download is not used):
# if /usr/bin/chromium (or $TAGPULSE_CHROMIUM) is missing, it is installed with apt-get, as root or through sudo.
# On a machine without apt-get nothing is installed; the page test then says where it looked.
set -eu

browser="${TAGPULSE_CHROMIUM:-/usr/bin/chromium}"
if [ -x "$browser" ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: $browser is missing and there is no apt-get here; install Chromium and set TAGPULSE_CHROMIUM to it, or the dashboard page test fails" >&2
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  as_root=""
elif command -v sudo >/dev/null 2>&1; then
  as_root="sudo"
else
  echo "ensure-chromium: $browser is missing; install it as root: apt-get install -y chromium" >&2
  exit 1
fi
echo "ensure-chromium: installing Debian's chromium for the dashboard page test (apt-get)" >&2
$as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
$as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium
if [ ! -x "$browser" ]; then
  echo "ensure-chromium: chromium was installed but $browser is still missing; set TAGPULSE_CHROMIUM to the browser" >&2
  exit 1
fi
