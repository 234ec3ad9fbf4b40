#pragma once

#include "model/core/result.h"
#include "model/core/session.h"

#include <QByteArray>
#include <QFile>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QTimer>

#include <memory>

namespace TlsLab::Model {

class Timeline;

// Where a capture goes and what it keeps.
struct CaptureOptions
{
    QString path; // empty: a new file in defaultFolder()
    bool wire = false; // the TLS bytes of each session (only when the user asks: they can be large)
    bool keyLog = true; // key log lines, which exist only for connections the user turned key logging on for
    qint64 maxFileBytes = qint64(256) * 1024 * 1024; // this capture stops (saying so in the file) beyond it
    qint64 maxFolderBytes = qint64(1024) * 1024 * 1024; // older captures in the folder are removed beyond it...
    int maxAgeDays = 14; // ...and after this many days (both only in defaultFolder())
    int flushIntervalMs = 1000;
};

// Writes everything a timeline records (events, sessions with the certificates as sent; wire bytes and key log lines
// when those are on) continuously to a capture file (CaptureFormat), so that a crash or kill -9 loses at most the
// last flush interval. Records are encoded as they happen (from any thread) into a buffer that a timer writes out
// once a second (sooner when FlushBytes are waiting), in whole records, so a crash can only cut the last one. The
// buffers are reused, so a busy listener does not fault in fresh memory for them every second. A session is written
// when it ends; while it is open, its latest state goes out with each flush (it changes several times in its first
// milliseconds, and writing each of those was a twentieth of a busy listener's time). The file is mode 0600
// (it may hold secrets). Lab owns one for the window and `tlslab serve` (Lab::startCapture).
class CaptureWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaptureWriter)

public:
    // Opens the file (a new one; an existing file is replaced), applies the retention limits to the other captures
    // in the default folder (when the file goes there), and starts recording what the timeline records from now on.
    static Result<std::unique_ptr<CaptureWriter>> start(Timeline *timeline, const CaptureOptions &options);
    ~CaptureWriter() override; // flushes

    // The folder for captures: "captures" in the data folder (~/.local/share/tlslab or $TLSLAB_DATA_DIR).
    static QString defaultFolder();
    // Removes the oldest *.tlscap files of folder (except keep) beyond the size and age limits; how many.
    static int applyRetention(const QString &folder, qint64 maxBytes, int maxAgeDays, const QString &keep = {});

    QString path() const { return m_file.fileName(); }
    quint64 eventsWritten() const;
    quint64 bytesWritten() const;
    bool isStopped() const; // the size limit was reached
    // Writes what is buffered now (the timer does it once per interval).
    void flush();

    static constexpr qsizetype FlushBytes = 256 * 1024;

private:
    CaptureWriter(Timeline *timeline, const CaptureOptions &options);
    void append(const QByteArray &payload, bool isEvent = false);
    void appendLocked(const QByteArray &payload, bool isEvent = false); // m_mutex held
    void onSessionUpdated(quint64 id);

    Timeline *m_timeline;
    CaptureOptions m_options;
    QFile m_file;
    QTimer m_timer;
    QMutex m_flushMutex; // one flush at a time; guards m_writing
    QByteArray m_writing; // the buffer being written out; swapped with m_pending, capacity kept
    mutable QMutex m_mutex; // guards everything below: records arrive from any thread
    QByteArray m_pending;
    QHash<quint64, Session> m_openSessions; // updated since the last flush, still open
    bool m_flushQueued = false;
    quint64 m_events = 0;
    quint64 m_bytes = 0; // written and pending
    bool m_stopped = false;
};

} // namespace TlsLab::Model
