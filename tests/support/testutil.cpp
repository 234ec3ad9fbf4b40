#include "testutil.h"

#include <QFile>
#include <QMetaObject>
#include <QObject>

#include <sys/stat.h>

namespace TlsLab::Test {

QStringList missingChildren(const QObject *parent, const QList<ExpectedChild> &expected)
{
    QStringList missing;
    for (const ExpectedChild &child : expected) {
        const QObject *found = parent ? parent->findChild<QObject *>(child.name) : nullptr;
        if (!found || !found->metaObject()->inherits(child.type))
            missing.append(QString::fromLatin1(child.type->className()) + u' ' + child.name);
    }
    return missing;
}

int fileMode(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 07777);
}

} // namespace TlsLab::Test
