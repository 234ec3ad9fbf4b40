#pragma once

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QTimer;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// Writes the timeline to a file (JSON lines, one Event::toJson() object per line, or CSV) on a worker thread, so a
// million events never freeze the window. Reports progress a few times a second and can be cancelled; the file is
// written atomically (QSaveFile), so a cancelled or failed export leaves no half file. The events exported are
// those present when the export starts.
class TimelineExport final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineExport)

public:
    enum class Format { JsonLines, Csv };

    explicit TimelineExport(const Model::Timeline *timeline, QObject *parent = nullptr);
    ~TimelineExport() override; // cancels and waits

    static Format formatForPath(const QString &path);
    bool start(const QString &path, Format format);
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progressChanged(qint64 done, qint64 total);
    void finished(const QString &path, bool ok, const QString &message);

private:
    void onFinished();

    const Model::Timeline *m_timeline;
    QFutureWatcher<QString> m_watcher;
    QTimer *m_progressTimer;
    std::shared_ptr<std::atomic<qint64>> m_done;
    std::shared_ptr<std::atomic<bool>> m_cancel;
    qint64 m_total = 0;
    QString m_path;
};

} // namespace TlsLab::Widgets
