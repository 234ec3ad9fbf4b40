#pragma once

#include "model/capture/capture.h"
#include "model/core/result.h"

#include <QByteArrayView>
#include <QString>

namespace TlsLab::Model {

// Reads a capture file (CaptureFormat) whole or, when it is truncated or damaged, everything before the damage, and
// says where and why it stopped. Fails only when the file cannot be read at all or is not a capture.
class CaptureReader final
{
public:
    static Result<Capture> readFile(const QString &path);
    static Result<Capture> read(QByteArrayView data, const QString &name = {});

    static constexpr qint64 MaxFileBytes = qint64(8) * 1024 * 1024 * 1024;
};

} // namespace TlsLab::Model
