#pragma once

#include <QStringList>

namespace TlsLab::Cli {

// tlslab show: prints the events of a capture file (as serve printed them), or exports it for Wireshark.
int runShowCommand(const QStringList &arguments);

} // namespace TlsLab::Cli
