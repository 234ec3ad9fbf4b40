#pragma once

#include <QStringList>

namespace TlsLab::Model {
class Lab;
}

namespace TlsLab::Cli {

// tlslab connect: one client connection, TLS or plaintext, printing every event; exit 0 only on success.
int runConnectCommand(Model::Lab &lab, const QStringList &arguments);

} // namespace TlsLab::Cli
