#include "model/tls/keylogfile.h"

#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

Result<std::shared_ptr<KeyLogFile>> KeyLogFile::open(const QString &path)
{
    if (path.isEmpty())
        return Result<std::shared_ptr<KeyLogFile>>::failure(u"no key log file was named"_s);
    const QByteArray native = QFile::encodeName(path);
    const int fd = ::open(native.constData(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        return Result<std::shared_ptr<KeyLogFile>>::failure(
            u"cannot open the key log file %1: %2"_s.arg(path, QString::fromLocal8Bit(std::strerror(errno))));
    }
    struct stat st;
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return Result<std::shared_ptr<KeyLogFile>>::failure(u"the key log file %1 is not a regular file"_s.arg(path));
    }
    // It decrypts every connection it describes: nobody else may read it, even if it existed before.
    if ((st.st_mode & 077) != 0)
        ::fchmod(fd, 0600);
    return std::shared_ptr<KeyLogFile>(new KeyLogFile(fd, path));
}

KeyLogFile::KeyLogFile(int fd, const QString &path)
    : m_fd(fd)
    , m_path(path)
{ }

KeyLogFile::~KeyLogFile()
{
    ::close(m_fd);
}

void KeyLogFile::append(const QByteArray &line)
{
    // One write per line, so lines from several connections (or processes) never interleave inside a line.
    const QByteArray data = line + '\n';
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(m_fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        done += n;
    }
    ++m_lines;
}

} // namespace TlsLab::Model
