#include "model/timeline/timelineexport.h"

#include "model/timeline/timeline.h"

#include <QSaveFile>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

namespace {

QString writeTimeline(const Timeline *timeline, const QString &path, TimelineExport::Format format, qint64 first,
    qint64 total, std::atomic<qint64> *done, const std::atomic<bool> *cancel)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QObject::tr("%1: cannot write (%2)").arg(path, file.errorString());
    QByteArray buffer;
    buffer.reserve(1 << 20);
    if (format == TimelineExport::Format::Csv)
        buffer += TimelineExport::csvHeader();
    // The events kept in memory when the export started; under a budget some may be dropped while it runs (an
    // event read after that is empty and skipped).
    for (qint64 i = first; i < first + total; ++i) {
        if (((i - first) & 1023) == 0) {
            if (cancel->load(std::memory_order_relaxed)) {
                file.cancelWriting();
                return QObject::tr("Export cancelled");
            }
            done->store(i - first, std::memory_order_relaxed);
        }
        const Event e = timeline->event(i);
        if (e.timeUs == 0 && e.summary.isEmpty())
            continue;
        buffer += format == TimelineExport::Format::JsonLines ? e.toJsonLine() : TimelineExport::csvLine(e);
        if (buffer.size() > (1 << 20) - 4096) {
            if (file.write(buffer) != buffer.size())
                return QObject::tr("%1: write failed (%2)").arg(path, file.errorString());
            buffer.clear();
        }
    }
    if (!buffer.isEmpty() && file.write(buffer) != buffer.size())
        return QObject::tr("%1: write failed (%2)").arg(path, file.errorString());
    if (!file.commit())
        return QObject::tr("%1: cannot save (%2)").arg(path, file.errorString());
    done->store(total);
    return {};
}
} // namespace

TimelineExport::TimelineExport(const Timeline *timeline, QObject *parent)
    : QObject(parent)
    , m_timeline(timeline)
    , m_progressTimer(new QTimer(this))
{
    m_progressTimer->setInterval(100);
    connect(m_progressTimer, &QTimer::timeout, this, [this] {
        if (m_done)
            Q_EMIT progressChanged(m_done->load(), m_total);
    });
    connect(&m_watcher, &QFutureWatcher<QString>::finished, this, &TimelineExport::onFinished);
}

TimelineExport::~TimelineExport()
{
    cancel();
    m_watcher.waitForFinished();
}

TimelineExport::Format TimelineExport::formatForPath(const QString &path)
{
    return path.endsWith(u".csv"_s, Qt::CaseInsensitive) ? Format::Csv : Format::JsonLines;
}

QByteArray TimelineExport::csvHeader()
{
    return QByteArrayLiteral("time_us,time,session,side,kind,severity,summary\n");
}

QByteArray TimelineExport::csvField(const QString &text)
{
    QByteArray out = text.toUtf8();
    if (out.contains(',') || out.contains('"') || out.contains('\n') || out.contains('\r')) {
        out.replace('"', "\"\"");
        out = '"' + out + '"';
    }
    return out;
}

QByteArray TimelineExport::csvLine(const Event &e)
{
    return QByteArray::number(e.timeUs) + ',' + csvField(formatTimeUs(e.timeUs)) + ',' + QByteArray::number(e.session)
        + ',' + sideName(e.side).toUtf8() + ',' + kindName(e.kind).toUtf8() + ',' + severityName(e.severity).toUtf8()
        + ',' + csvField(e.summary) + '\n';
}

bool TimelineExport::start(const QString &path, Format format)
{
    if (isRunning())
        return false;
    m_path = path;
    const qint64 first = m_timeline->firstIndex();
    m_total = m_timeline->eventCount() - first;
    m_done = std::make_shared<std::atomic<qint64>>(0);
    m_cancel = std::make_shared<std::atomic<bool>>(false);
    // The worker holds its own references to the counters; the timeline outlives it (the destructor waits).
    m_watcher.setFuture(QtConcurrent::run(
        [timeline = m_timeline, path, format, first, total = m_total, done = m_done, cancel = m_cancel] {
            return writeTimeline(timeline, path, format, first, total, done.get(), cancel.get());
        }));
    m_progressTimer->start();
    Q_EMIT progressChanged(0, m_total);
    return true;
}

void TimelineExport::cancel()
{
    if (m_cancel)
        m_cancel->store(true);
}

bool TimelineExport::isRunning() const
{
    return m_watcher.isRunning();
}

void TimelineExport::onFinished()
{
    m_progressTimer->stop();
    const QString error = m_watcher.result();
    if (error.isEmpty())
        Q_EMIT finished(m_path, true, tr("Exported %L1 events to %2").arg(m_total).arg(m_path));
    else
        Q_EMIT finished(m_path, false, error);
}

} // namespace TlsLab::Model
