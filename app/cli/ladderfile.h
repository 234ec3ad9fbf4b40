#pragma once

#include "model/core/result.h"

#include <QString>
#include <QStringList>

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Cli {

// `--ladder FILE` of connect and show: the handshake ladder of one session written by the file's suffix, as the
// window exports it (".svg" and ".png" drawn by the window's HandshakeLadder, anything else Mermaid text).

// True when the arguments ask for a ladder drawn as SVG or PNG: the run then needs a QApplication (main.cpp
// makes one on the offscreen platform). Mermaid needs none.
bool ladderNeedsPainting(const QStringList &arguments);
// A ladder file can be written there: its folder exists (checked before a connection is made, so a typo does not
// cost a connection). The message names the path and what is wrong.
Model::Status checkLadderPath(const QString &path);
// Writes the ladder of the session (and of its linked other end) from the timeline.
Model::Status writeLadderFile(Model::Timeline &timeline, quint64 session, const QString &path);

} // namespace TlsLab::Cli
