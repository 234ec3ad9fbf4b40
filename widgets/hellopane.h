#pragma once

#include <QCborMap>
#include <QHash>
#include <QList>
#include <QWidget>

class QLineEdit;
class QTimer;
class QToolButton;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

class HelloBar;
class HelloTree;

// The "Hello" tab of the session details: the session's fingerprints (JA3 and its MD5, JA3N, JA4, JA4_r, JA3S), each
// copyable; the ClientHello at a glance (HelloBar); and the dissection of every hello of the session (HelloTree).
// Everything comes from the tap's events for the session (their details carry the model's dissection and
// fingerprints) and, once the session has ended, from its wire bytes (where the records and socket reads split the
// hello). Follows a live session as its events arrive.
class HelloPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HelloPane)

public:
    // Keys of the fingerprints shown, as the events' details name them.
    static const QStringList &fingerprintKeys(); // ja3, ja3_md5, ja3n, ja3n_md5, ja4, ja4_r, ja3s, ja3s_md5

    explicit HelloPane(Model::Timeline *timeline, QWidget *parent = nullptr);
    ~HelloPane() override;

    void showSession(quint64 id); // 0 clears
    quint64 sessionId() const { return m_sessionId; }

    HelloTree *tree() const { return m_tree; }
    HelloBar *bar() const { return m_bar; }
    QString fingerprint(const QString &key) const; // as shown; empty when not known
    QToolButton *copyButton(const QString &key) const;
    // The hello events shown, as the tree got them (ClientHello, HelloRetryRequest, ServerHello, in order).
    const QList<QCborMap> &hellos() const { return m_hellos; }

protected:
    void showEvent(QShowEvent *event) override;

private:
    void refresh();
    void scheduleRefresh();

    Model::Timeline *m_timeline;
    quint64 m_sessionId = 0;
    bool m_stale = false;
    QTimer *m_refresh;
    QHash<QString, QLineEdit *> m_fields;
    QHash<QString, QToolButton *> m_copyButtons;
    HelloBar *m_bar;
    HelloTree *m_tree;
    QList<QCborMap> m_hellos;
    qsizetype m_scannedTo = 0; // the session's events before this timeline index are in m_hellos
};

} // namespace TlsLab::Widgets
