#pragma once

#include <QStringList>

namespace TlsLab::Model {
class Lab;
}

namespace TlsLab::Cli {

// tlslab serve: runs a listener until interrupted (or --max-connections), printing every event.
int runServeCommand(Model::Lab &lab, const QStringList &arguments);

} // namespace TlsLab::Cli
