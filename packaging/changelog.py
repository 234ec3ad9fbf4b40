#!/usr/bin/env python3
"""Writes the Debian package's changelog.Debian.gz (lintian: debian-changelog-file-missing).

usage: changelog.py OUTPUT VERSION RELEASE_DATE MAINTAINER

RELEASE_DATE is YYYY-MM-DD (the metainfo's newest release). The output is reproducible: gzip -9 with no name and no
time stamp, as dh_installchangelogs makes it.
"""
import datetime
import gzip
import sys


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    output, version, release_date, maintainer = sys.argv[1:]
    day = datetime.datetime.strptime(release_date, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
    text = (
        f"tlslab ({version}-1) unstable; urgency=medium\n"
        "\n"
        f"  * TLS Lab {version}, packaged with CPack from the upstream sources.\n"
        "\n"
        f" -- {maintainer}  {day.strftime('%a, %d %b %Y %H:%M:%S +0000')}\n"
    )
    with open(output, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=raw, mtime=0) as z:
            z.write(text.encode("utf-8"))


if __name__ == "__main__":
    main()
