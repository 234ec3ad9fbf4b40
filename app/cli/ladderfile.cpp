#include "app/cli/ladderfile.h"

#include "model/timeline/ladder.h"
#include "model/timeline/timeline.h"
#include "widgets/handshakeladder.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace TlsLab::Cli {

namespace {
bool isPicture(const QString &path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    return suffix == u"svg"_s || suffix == u"png"_s;
}
} // namespace

bool ladderNeedsPainting(const QStringList &arguments)
{
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &argument = arguments.at(i);
        if (argument == u"--"_s)
            break;
        if ((argument == u"--ladder"_s || argument == u"-ladder"_s) && i + 1 < arguments.size()
            && isPicture(arguments.at(i + 1)))
            return true;
        if ((argument.startsWith(u"--ladder="_s) || argument.startsWith(u"-ladder="_s))
            && isPicture(argument.section(u'=', 1)))
            return true;
    }
    return false;
}

Status checkLadderPath(const QString &path)
{
    if (path.isEmpty())
        return Status::failure(u"--ladder needs a file name"_s);
    const QFileInfo info(path);
    if (info.isDir())
        return Status::failure(u"--ladder %1: is a folder, not a file"_s.arg(path));
    const QFileInfo folder(info.absolutePath());
    if (!folder.isDir())
        return Status::failure(u"--ladder %1: the folder %2 does not exist"_s.arg(path, info.absolutePath()));
    if (!folder.isWritable())
        return Status::failure(u"--ladder %1: the folder %2 is not writable"_s.arg(path, info.absolutePath()));
    return {};
}

Status writeLadderFile(Timeline &timeline, quint64 session, const QString &path)
{
    if (const Status usable = checkLadderPath(path); !usable)
        return usable;
    if (!isPicture(path)) {
        // Mermaid is text from the model: no drawing, no GUI.
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(Ladder::build(timeline, session).toMermaid().toUtf8()) < 0
            || !file.commit())
            return Status::failure(u"cannot write the ladder to %1: %2"_s.arg(path, file.errorString()));
        return {};
    }
    // The window's own drawing (a widget): it needs a QApplication, which main.cpp makes when ladderNeedsPainting().
    if (!qobject_cast<QApplication *>(QCoreApplication::instance()))
        return Status::failure(
            u"cannot draw %1: SVG and PNG need a GUI application (use a .mmd file for Mermaid)"_s.arg(path));
    Widgets::HandshakeLadder ladder(&timeline);
    ladder.showSession(session);
    QString error;
    if (!ladder.exportTo(path, &error))
        return Status::failure(u"cannot write the ladder to %1: %2"_s.arg(path, error));
    return {};
}

} // namespace TlsLab::Cli
