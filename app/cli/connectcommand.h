#pragma once

#include <QStringList>

namespace TlsLab::Cli {

// tlslab connect: one client connection, TLS or plaintext, printing every event; exit 0 only on success.
int runConnectCommand(const QStringList &arguments);

} // namespace TlsLab::Cli
