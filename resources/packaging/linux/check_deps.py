"""Check that a Debian package's Depends cover every system library a PyInstaller bundle links to.

    python check_deps.py dist/earmark "libc6, libglib2.0-0t64 | libglib2.0-0, ..."

For every ELF file in the bundle it reads the libraries the file itself names (DT_NEEDED, not
their own dependencies: those are the system packages' business), resolves them the way the
frozen app does (the bundle's _internal folder first, as PyInstaller's bootloader puts it on
LD_LIBRARY_PATH), and maps each one found outside the bundle to its Debian package with dpkg -S.
It prints the table and exits 1 if a library is not found at all or if its package is not named
in the Depends (any alternative counts), so that a new dependency cannot slip into a .deb unseen.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path


def is_elf(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == b"\x7fELF"
    except OSError:
        return False


def needed(path: Path) -> list[str]:
    out = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def resolved(path: Path, env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env).stdout
    found = {}
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) => (.+?)(?: \(0x[0-9a-f]+\))?$", line)
        if match:
            found[match.group(1)] = match.group(2).strip()
            continue
        match = re.match(r"\s*(/\S+) \(0x[0-9a-f]+\)$", line)  # the dynamic loader: "/lib64/ld-linux-x86-64.so.2 (0x...)"
        if match:
            found[os.path.basename(match.group(1))] = match.group(1)
    return found


def package_of(library: str) -> str | None:
    # Debian 12 ships many libraries under /lib (not yet moved to /usr/lib): try both spellings.
    real = os.path.realpath(library)
    candidates = {library, real}
    for name in list(candidates):
        candidates.add(name[4:] if name.startswith("/usr/") else "/usr" + name)
    for candidate in candidates:
        done = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if done.returncode == 0:
            return done.stdout.split(":", 1)[0].strip()
    return None


def depends_names(depends: str) -> set[str]:
    names = set()
    for clause in depends.split(","):
        for alternative in clause.split("|"):
            name = re.sub(r"\(.*?\)", "", alternative).strip().split(":")[0]
            if name:
                names.add(name)
    return names


def main(argv: list[str]) -> int:
    bundle, depends = Path(argv[1]).resolve(), argv[2]
    internal = bundle / "_internal"
    env = dict(os.environ, LD_LIBRARY_PATH=str(internal))
    users: dict[str, set[str]] = defaultdict(set)  # system library -> bundle files naming it
    missing: dict[str, set[str]] = defaultdict(set)
    for path in sorted(p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink() and is_elf(p)):
        names = needed(path)
        if not names:
            continue
        where = resolved(path, env)
        for name in names:
            target = where.get(name, "not found")
            relative = str(path.relative_to(bundle))
            if target == "not found":
                missing[name].add(relative)
            elif not os.path.realpath(target).startswith(str(bundle) + os.sep):
                users[target].add(relative)
    allowed = depends_names(depends)
    problems = 0
    by_package: dict[str, list[str]] = defaultdict(list)
    for library in sorted(users):
        package = package_of(library)
        by_package[package or "?"].append(os.path.basename(library))
        if package is None or package.split(":")[0] not in allowed:
            problems += 1
            example = sorted(users[library])[0]
            print(f"NOT IN DEPENDS: {library} (package {package or 'unknown'}), needed by {example}")
    for package in sorted(by_package):
        print(f"  {package:28} {', '.join(sorted(set(by_package[package])))}")
    for name in sorted(missing):
        problems += 1
        print(f"NOT FOUND: {name}, needed by {', '.join(sorted(missing[name])[:3])}")
    if problems:
        print(f"{problems} system libraries are not covered by the package's Depends", file=sys.stderr)
        return 1
    print(f"all {len(users)} system libraries the bundle links to are covered by Depends")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
