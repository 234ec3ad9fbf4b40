#pragma once

#include "model/certs/certificatedetails.h"

#include <QList>
#include <QSslCertificate>
#include <QString>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QTabWidget;
class QTreeWidget;
class QTreeWidgetItem;

namespace TlsLab::Widgets {

class ChainStrip;

// Shows a certificate chain the way a careful engineer reads it: the chain in the order it was sent with who issued
// whom and the verification verdict of each certificate, every field of the selected certificate in a details tree
// (values copyable), its PEM, and export buttons. Also opens certificate files (PEM, DER, PKCS#12); problems are shown
// in a banner inside the widget, never as a crash or a message box.
class CertificateViewer final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CertificateViewer)

public:
    // Columns of the chain tree.
    enum ChainColumn { OrderColumn, SubjectColumn, IssuedByColumn, VerdictColumn, ChainColumnCount };

    explicit CertificateViewer(QWidget *parent = nullptr);
    ~CertificateViewer() override;

    // Shows a chain (leaf first, as sent), verified against the trust anchors (and the system store when asked);
    // checkedName (a host name or IP address) is matched against the leaf when given.
    void setChain(const QList<QSslCertificate> &chainAsSent, const QList<QSslCertificate> &trustAnchors = {},
        bool useSystemStore = true, const QString &checkedName = {});
    // Loads a PEM, DER or PKCS#12 file (the latter asks for its passphrase when it has one). Errors go to the banner
    // and errorOccurred(); success emits fileOpened().
    void openFile(const QString &path);

    const Model::ChainAnalysis &analysis() const { return m_analysis; }
    // The certificates listed (as sent, then trust anchors that were not sent), and the selected one.
    QList<QSslCertificate> certificates() const { return m_certificates; }
    QSslCertificate selectedCertificate() const;
    int selectedIndex() const;
    void selectCertificate(int index);
    ChainStrip *chainStrip() const { return m_chainStrip; }
    // The text of the banner ("" when hidden).
    QString bannerText() const;

    // Export of the selected certificate (PEM or DER) or the chain as sent (PEM) to a file chosen with a file dialog.
    void exportPem();
    void exportChainPem();
    void exportDer();

protected:
    void showEvent(QShowEvent *event) override;

Q_SIGNALS:
    void fileOpened(const QString &path);
    void errorOccurred(const QString &message);
    void exported(const QString &path);

private:
    enum class Export { CertificatePem, ChainPem, Der };
    enum class Banner { Error, Info };

    void rebuildChain();
    void closeWindow();
    void showDetails();
    void copySelectedValue();
    void showBanner(const QString &text, Banner kind);
    void hideBanner();
    void askExportPath(Export what);
    void writeExport(Export what, const QString &path);
    void askPkcs12Passphrase(const QString &path, const QByteArray &data);

    QLabel *m_banner = nullptr;
    QLabel *m_nameLabel = nullptr;
    ChainStrip *m_chainStrip = nullptr;
    QTreeWidget *m_chainTree = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTreeWidget *m_detailsTree = nullptr;
    QPlainTextEdit *m_pemEdit = nullptr;
    QPushButton *m_closeButton = nullptr;
    QPushButton *m_exportPemButton = nullptr;
    QPushButton *m_exportChainButton = nullptr;
    QPushButton *m_exportDerButton = nullptr;

    QList<QSslCertificate> m_chainAsSent;
    QList<QSslCertificate> m_certificates;
    QList<Model::CertificateDetails> m_details;
    Model::ChainAnalysis m_analysis;
};

} // namespace TlsLab::Widgets
