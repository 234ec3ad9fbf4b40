#include "model/capture/capturewriter.h"

#include "model/capture/captureformat.h"
#include "model/capture/wirestore.h"
#include "model/certs/devcertificate.h"
#include "model/timeline/timeline.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>

using namespace Qt::StringLiterals;

namespace TlsLab::Model {

QString CaptureWriter::defaultFolder()
{
    const QString data = DevCertificate::directory();
    return data.isEmpty() ? QString() : QDir(data).filePath(u"captures"_s);
}

int CaptureWriter::applyRetention(const QString &folder, qint64 maxBytes, int maxAgeDays, const QString &keep)
{
    const QDir dir(folder);
    const QFileInfoList files = dir.entryInfoList({u"*.tlscap"_s}, QDir::Files, QDir::Time); // newest first
    const QDateTime oldest = QDateTime::currentDateTimeUtc().addDays(-maxAgeDays);
    const QString kept = keep.isEmpty() ? QString() : QFileInfo(keep).absoluteFilePath();
    qint64 total = 0;
    int removed = 0;
    for (const QFileInfo &file : files) {
        if (file.absoluteFilePath() == kept) {
            total += file.size();
            continue;
        }
        if (file.lastModified().toUTC() < oldest || total + file.size() > maxBytes) {
            if (QFile::remove(file.absoluteFilePath()))
                ++removed;
            continue;
        }
        total += file.size();
    }
    return removed;
}

Result<std::unique_ptr<CaptureWriter>> CaptureWriter::start(Timeline *timeline, const CaptureOptions &options)
{
    using R = Result<std::unique_ptr<CaptureWriter>>;
    CaptureOptions o = options;
    const bool inDefaultFolder = o.path.isEmpty();
    if (inDefaultFolder) {
        const QString folder = defaultFolder();
        if (folder.isEmpty())
            return R::failure(u"no data folder for captures"_s);
        o.path = QDir(folder).filePath(
            u"tlslab-%1-%2.tlscap"_s.arg(QDateTime::currentDateTimeUtc().toString(u"yyyyMMdd-HHmmss"_s),
                QString::number(QCoreApplication::applicationPid())));
    }
    const QFileInfo info(o.path);
    QDir folder = info.absoluteDir();
    if (!folder.exists()) {
        if (!folder.mkpath(u"."_s))
            return R::failure(u"cannot create the capture folder %1"_s.arg(folder.path()));
        // A folder made here is private; an existing one keeps the mode its owner chose.
        QFile::setPermissions(folder.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }
    std::unique_ptr<CaptureWriter> writer(new CaptureWriter(timeline, o));
    QFile &file = writer->m_file;
    file.setFileName(o.path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Unbuffered))
        return R::failure(u"cannot write the capture %1: %2"_s.arg(o.path, file.errorString()));
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner);
    QByteArray head = CaptureFormat::fileHeader();
    CaptureFormat::appendRecord(head, CaptureFormat::headerPayload(nowUs()));
    if (file.write(head) != head.size())
        return R::failure(u"cannot write the capture %1: %2"_s.arg(o.path, file.errorString()));
    writer->m_bytes = quint64(head.size());
    // Only in TLS Lab's own folder: a file the user named may sit among captures they keep on purpose.
    if (inDefaultFolder)
        applyRetention(folder.path(), o.maxFolderBytes, o.maxAgeDays, o.path);

    CaptureWriter *w = writer.get();
    // Direct: events and sessions arrive from whichever thread records them; encoding is a short locked append.
    connect(
        timeline, &Timeline::eventAppended, w,
        [w](const Event &event) { w->append(CaptureFormat::eventPayload(event), true); }, Qt::DirectConnection);
    connect(timeline, &Timeline::sessionUpdated, w, &CaptureWriter::onSessionUpdated, Qt::DirectConnection);
    if (WireStore *store = WireStore::find(timeline)) {
        if (o.wire) {
            connect(
                store, &WireStore::wireAdded, w,
                [w, store](quint64 id) {
                    for (const WireChunk &chunk : store->wire(id).chunks)
                        w->append(CaptureFormat::wirePayload(id, chunk.timeUs, chunk.sent, chunk.bytes));
                },
                Qt::DirectConnection);
        }
        if (o.keyLog) {
            connect(
                store, &WireStore::keyLogLineAdded, w,
                [w](quint64 id, const QByteArray &line) { w->append(CaptureFormat::keyLogPayload(id, line)); },
                Qt::DirectConnection);
        }
    }
    w->m_timer.setInterval(o.flushIntervalMs);
    connect(&w->m_timer, &QTimer::timeout, w, &CaptureWriter::flush);
    w->m_timer.start();
    return writer;
}

CaptureWriter::CaptureWriter(Timeline *timeline, const CaptureOptions &options)
    : m_timeline(timeline)
    , m_options(options)
{ }

CaptureWriter::~CaptureWriter()
{
    flush();
}

void CaptureWriter::onSessionUpdated(quint64 id)
{
    Session session = m_timeline->session(id);
    if (session.id == 0)
        return;
    {
        const QMutexLocker locker(&m_mutex);
        if (session.isOpen()) {
            m_openSessions.insert(id, std::move(session));
            return;
        }
        m_openSessions.remove(id);
    }
    append(CaptureFormat::sessionPayload(session));
}

void CaptureWriter::append(const QByteArray &payload, bool isEvent)
{
    const QMutexLocker locker(&m_mutex);
    appendLocked(payload, isEvent);
}

void CaptureWriter::appendLocked(const QByteArray &payload, bool isEvent)
{
    if (m_stopped)
        return;
    const quint64 framed = quint64(CaptureFormat::RecordHeaderSize + payload.size());
    // Room is kept for the record that says the capture stopped, so the file stays within its limit.
    constexpr quint64 StoppedRoom = 256;
    if (m_bytes + framed + StoppedRoom > quint64(m_options.maxFileBytes)) {
        // Say so in the file, so a reader can tell a full capture from a cut one.
        const QByteArray stopped = CaptureFormat::stoppedPayload(
            u"the capture reached its size limit of %1 bytes; later events are not in it"_s.arg(
                m_options.maxFileBytes));
        CaptureFormat::appendRecord(m_pending, stopped);
        m_bytes += quint64(CaptureFormat::RecordHeaderSize + stopped.size());
        m_stopped = true;
        return;
    }
    CaptureFormat::appendRecord(m_pending, payload);
    m_bytes += framed;
    if (isEvent)
        ++m_events;
    if (m_pending.size() >= FlushBytes && !m_flushQueued) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(this, &CaptureWriter::flush, Qt::QueuedConnection);
    }
}

void CaptureWriter::flush()
{
    const QMutexLocker flushLocker(&m_flushMutex);
    {
        const QMutexLocker locker(&m_mutex);
        // Under the lock: a session that ends meanwhile is written after this, its last state last.
        for (const Session &session : std::as_const(m_openSessions))
            appendLocked(CaptureFormat::sessionPayload(session));
        m_openSessions.clear();
        m_writing.swap(m_pending);
        m_flushQueued = false;
    }
    if (!m_writing.isEmpty() && m_file.isOpen())
        m_file.write(m_writing); // unbuffered: in the kernel now, so it survives the process being killed
    // Emptied with its capacity kept for the next interval, unless a burst made it large.
    if (m_writing.capacity() > 4 * FlushBytes)
        m_writing = QByteArray();
    else
        m_writing.resize(0);
}

quint64 CaptureWriter::eventsWritten() const
{
    const QMutexLocker locker(&m_mutex);
    return m_events;
}

quint64 CaptureWriter::bytesWritten() const
{
    const QMutexLocker locker(&m_mutex);
    return m_bytes;
}

bool CaptureWriter::isStopped() const
{
    const QMutexLocker locker(&m_mutex);
    return m_stopped;
}

} // namespace TlsLab::Model
