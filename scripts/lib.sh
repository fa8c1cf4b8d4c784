# Sourced by the other scripts: finds the Swift toolchain when it is installed but not on PATH.
if ! command -v swift >/dev/null 2>&1; then
  for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin "$HOME/.local/share/swiftly/bin"; do
    if [ -x "$candidate/swift" ]; then
      export PATH="$candidate:$PATH"
      break
    fi
  done
fi
