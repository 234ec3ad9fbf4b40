#pragma once

#include "model/core/result.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace TlsLab::Model {

// An SSLKEYLOGFILE (the NSS key log format, as Wireshark reads it): one line per secret, appended, mode 0600. It holds
// the secrets that decrypt every recorded connection, so it exists only when the user asked for it.
class KeyLogFile final
{
public:
    static Result<std::shared_ptr<KeyLogFile>> open(const QString &path);
    ~KeyLogFile();
    Q_DISABLE_COPY_MOVE(KeyLogFile)

    void append(const QByteArray &line); // one line, without its newline
    QString path() const { return m_path; }
    quint64 linesWritten() const { return m_lines; }

private:
    KeyLogFile(int fd, const QString &path);
    int m_fd;
    QString m_path;
    quint64 m_lines = 0;
};

} // namespace TlsLab::Model
