#include "testutil.h"

#include <QDebug>
#include <QFile>
#include <QJsonDocument>
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

QString tlslab()
{
    return qEnvironmentVariable("TLSLAB_BINARY");
}

QList<QJsonObject> jsonLines(const QByteArray &output)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : output.split('\n')) {
        if (line.trimmed().isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject()) {
            qWarning() << "not a JSON line:" << line;
            return {};
        }
        out.append(doc.object());
    }
    return out;
}

} // namespace TlsLab::Test
