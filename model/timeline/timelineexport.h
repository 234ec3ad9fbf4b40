#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QTimer;

namespace TlsLab::Model {

class Timeline;
struct Event;

// Writes the timeline to a file (JSON lines, one Event::toJsonLine() per line, or CSV) on a worker thread, so a
// million events never freeze the window. The line formats are public so that the command line prints events exactly
// as the window exports them. Reports progress a few times a second and can be cancelled; the file is
// written atomically (QSaveFile), so a cancelled or failed export leaves no half file. The events exported are
// those present when the export starts.
class TimelineExport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineExport)

public:
    enum class Format { JsonLines, Csv };

    explicit TimelineExport(const Timeline *timeline, QObject *parent = nullptr);
    ~TimelineExport() override; // cancels and waits

    static Format formatForPath(const QString &path);

    // CSV (RFC 4180): a header line, then one line per event; fields with a comma, quote or line break are quoted
    // and their quotes doubled. Lines end in '\n'.
    static QByteArray csvHeader();
    static QByteArray csvLine(const Event &event);
    static QByteArray csvField(const QString &text);
    bool start(const QString &path, Format format);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progressChanged(qint64 done, qint64 total);
    void finished(const QString &path, bool ok, const QString &message);

private:
    void onFinished();

    const Timeline *m_timeline;
    QFutureWatcher<QString> m_watcher;
    QTimer *m_progressTimer;
    std::shared_ptr<std::atomic<qint64>> m_done;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    qint64 m_total = 0;
    QString m_path;
};

} // namespace TlsLab::Model
