#pragma once

#include "model/core/session.h"

#include <QWidget>

class QFrame;
class QLabel;
class QPushButton;
class QTextBrowser;

namespace TlsLab::Model {
class Timeline;
}

namespace TlsLab::Widgets {

// What is known about one session: at the top, the verdict (what happened, why, what to change) when it ended badly;
// then endpoints, protocol, the cipher suite and its parts, ALPN, the ephemeral key,
// the plain-language reason of a failure, and the peer's chain with a verdict per certificate. Follows the
// Timeline's updates of the session it shows. The chain can be opened in the certificate viewer or exported.
class SessionDetails final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionDetails)

public:
    explicit SessionDetails(Model::Timeline *timeline, QWidget *parent = nullptr);
    ~SessionDetails() override;

    void showSession(quint64 id); // 0 clears
    quint64 sessionId() const { return m_sessionId; }
    QString text() const; // the shown text, plain
    QString verdictText() const; // the banner's text, plain (empty when there is no verdict)

Q_SIGNALS:
    // The user asked to see the peer's chain in the certificate viewer.
    void certificateChainRequested(const QList<QSslCertificate> &chain);
    void exportChainRequested(quint64 sessionId);

private:
    void refresh();
    void showVerdict();

    Model::Timeline *m_timeline;
    quint64 m_sessionId = 0;
    Model::Session m_session;
    QFrame *m_banner;
    QLabel *m_verdictWhat;
    QLabel *m_verdictWhy;
    QLabel *m_verdictFix;
    QPushButton *m_copyFixButton;
    QTextBrowser *m_browser;
    QPushButton *m_viewButton;
    QPushButton *m_exportButton;
};

} // namespace TlsLab::Widgets
