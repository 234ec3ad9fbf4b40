#pragma once

// Small helpers every kind of test uses. Failures are returned, for the test function to QVERIFY: a helper that
// aborted (qFatal) would take every later test of the executable down with it.

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

class QObject;
struct QMetaObject;

namespace TlsLab::Test {

struct ExpectedChild
{
    const QMetaObject *type;
    QString name;
};

// The expected children that `parent` lacks (or has with another type), as "QSpinBox portSpin"; empty when all are
// there. A GUI test checks its widgets once with it, so that looking them up later needs no check.
QStringList missingChildren(const QObject *parent, const QList<ExpectedChild> &expected);

// The permission bits of a file (0600), or -1 when it cannot be read.
int fileMode(const QString &path);

// The tlslab binary under test (CTest passes it in TLSLAB_BINARY).
QString tlslab();
// The JSON lines a command printed, one object per line; empty (with a warning naming it) when any line is not a JSON
// object, so that a test never reads past output it did not understand.
QList<QJsonObject> jsonLines(const QByteArray &output);

} // namespace TlsLab::Test
