// The certificate viewer as a user reads it: the fields `openssl x509` prints for a certificate OpenSSL made, verdicts
// for a trusted and an untrusted chain, a garbage file, a PKCS#12 bundle with a passphrase, copy, and export.
#include "testpki.h"
#include "widgets/certificateviewer.h"

#include <QApplication>
#include <QClipboard>
#include <QFile>
#include <QFileDialog>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace Qt::StringLiterals;
using namespace TlsLab::Widgets;
using TlsLab::Test::CertFiles;
using TlsLab::Test::TestPki;

class TestCertificateViewer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<TestPki> m_pki;
    std::unique_ptr<CertificateViewer> m_viewer;

    QString path(const QString &name) const { return m_dir.filePath(name); }

    static QString openssl(const QStringList &arguments)
    {
        QProcess p;
        p.start(u"openssl"_s, arguments);
        if (!p.waitForFinished(30000) || p.exitCode() != 0) {
            qWarning() << "openssl" << arguments << p.readAllStandardError();
            return {};
        }
        return QString::fromUtf8(p.readAllStandardOutput());
    }

    QTreeWidget *details() const { return m_viewer->findChild<QTreeWidget *>(u"detailsTree"_s); }
    QTreeWidget *chain() const { return m_viewer->findChild<QTreeWidget *>(u"chainTree"_s); }
    QLabel *nameLabel() const { return m_viewer->findChild<QLabel *>(u"nameMatchLabel"_s); }

    // The details item whose field is `field` under the group `group`.
    QTreeWidgetItem *detail(const QString &group, const QString &field = {}) const
    {
        const auto groups = details()->findItems(group, Qt::MatchExactly, 0);
        if (groups.isEmpty())
            return nullptr;
        if (field.isEmpty())
            return groups.first();
        for (int i = 0; i < groups.first()->childCount(); ++i) {
            if (groups.first()->child(i)->text(0) == field)
                return groups.first()->child(i);
        }
        return nullptr;
    }

    CertFiles makeOpensslReqCertificate()
    {
        const CertFiles f {path(u"req.pem"_s), path(u"req.key"_s), {}};
        const QString out = openssl({u"req"_s, u"-x509"_s, u"-newkey"_s, u"rsa:2048"_s, u"-nodes"_s, u"-keyout"_s,
            f.key, u"-out"_s, f.certificate, u"-days"_s, u"30"_s, u"-subj"_s,
            u"/C=DE/ST=Berlin/O=TLS Lab Test/OU=Viewer/CN=viewer.test"_s, u"-addext"_s,
            u"subjectAltName=DNS:viewer.test,DNS:*.viewer.test,IP:192.0.2.7,IP:2001:db8::1"_s});
        return QFile::exists(f.certificate) ? f : CertFiles {};
    }

    void acceptExportDialog(const QString &file)
    {
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_viewer->findChild<QFileDialog *>(u"exportFileDialog"_s)) != nullptr && dialog->isVisible(),
            5000);
        // Type the path as a user would (selectFile() races with the dialog's own asynchronous directory loading).
        auto *nameEdit = dialog->findChild<QLineEdit *>(u"fileNameEdit"_s);
        QVERIFY(nameEdit);
        nameEdit->setText(file);
        static_cast<QDialog *>(dialog)->accept(); // QFileDialog::accept() is protected; QDialog's is public
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        // Qt's own file dialog, so the test can drive it on every platform.
        QCoreApplication::setAttribute(Qt::AA_DontUseNativeDialogs);
        QVERIFY(m_dir.isValid());
        // A missing peer is a broken test machine, not a reason to pass (scripts/dev.sh installs it).
        QVERIFY2(!openssl({u"version"_s}).isEmpty(), "the openssl program is needed");
        m_pki = std::make_unique<TestPki>(m_dir.path());
    }

    void init()
    {
        m_viewer = std::make_unique<CertificateViewer>();
        m_viewer->resize(900, 700);
        m_viewer->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_viewer.get()));
    }

    void cleanup() { m_viewer.reset(); }

    void showsWhatOpensslPrints()
    {
        const CertFiles f = makeOpensslReqCertificate();
        QVERIFY(!f.certificate.isEmpty());
        const QString printed = openssl({u"x509"_s, u"-in"_s, f.certificate, u"-noout"_s, u"-subject"_s, u"-ext"_s,
            u"subjectAltName"_s, u"-fingerprint"_s, u"-sha256"_s});
        const auto subject
            = QRegularExpression(u"^subject=(.*)$"_s, QRegularExpression::MultilineOption).match(printed);
        const auto san = QRegularExpression(
            u"X509v3 Subject Alternative Name:.*\\n\\s+(.*)$"_s, QRegularExpression::MultilineOption)
                             .match(printed);
        const auto sha256
            = QRegularExpression(u"^sha256 Fingerprint=(.*)$"_s, QRegularExpression::MultilineOption).match(printed);
        QVERIFY2(subject.hasMatch() && san.hasMatch() && sha256.hasMatch(), qPrintable(printed));

        QSignalSpy opened(m_viewer.get(), &CertificateViewer::fileOpened);
        m_viewer->openFile(f.certificate);
        QCOMPARE(opened.count(), 1);
        QCOMPARE(m_viewer->bannerText(), QString());

        QVERIFY(detail(u"Subject"_s));
        QCOMPARE(detail(u"Subject"_s)->text(1), subject.captured(1).trimmed());
        QCOMPARE(detail(u"Subject"_s, u"CN (commonName)"_s)->text(1), u"viewer.test"_s);
        QCOMPARE(detail(u"Subject alternative names"_s)->text(1), san.captured(1).trimmed());
        QCOMPARE(detail(u"Fingerprints"_s, u"SHA-256"_s)->text(1), sha256.captured(1).trimmed());
        QVERIFY(detail(u"Fingerprints"_s, u"SPKI pin (SHA-256, base64)"_s));
        QVERIFY(detail(u"Validity"_s, u"Status"_s)->text(1).startsWith(u"valid, expires in"_s));
        QCOMPARE(detail(u"Public key"_s)->text(1), u"RSA 2048 bits"_s);

        // Every extension is listed with its critical flag and its OpenSSL text.
        QTreeWidgetItem *extensions = detail(u"Extensions"_s);
        QVERIFY(extensions && extensions->childCount() >= 3);
        bool sawBasicConstraints = false;
        for (int i = 0; i < extensions->childCount(); ++i) {
            QTreeWidgetItem *ext = extensions->child(i);
            if (ext->text(0) == u"X509v3 Basic Constraints") {
                sawBasicConstraints = true;
                QCOMPARE(ext->child(0)->text(0), u"Critical"_s);
                QCOMPARE(ext->child(2)->text(1), u"CA:TRUE"_s);
            }
        }
        QVERIFY(sawBasicConstraints);

        // The PEM tab holds the certificate as OpenSSL wrote it.
        QFile file(f.certificate);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(m_viewer->findChild<QPlainTextEdit *>(u"pemEdit"_s)->toPlainText().trimmed(),
            QString::fromLatin1(file.readAll()).trimmed());

        // Ctrl+C copies the selected value.
        QTreeWidgetItem *fingerprint = detail(u"Fingerprints"_s, u"SHA-256"_s);
        details()->setCurrentItem(fingerprint);
        details()->setFocus();
        QApplication::clipboard()->clear();
        QTest::keySequence(details(), QKeySequence::Copy);
        QTRY_COMPARE_WITH_TIMEOUT(QApplication::clipboard()->text(), sha256.captured(1).trimmed(), 2000);
    }

    void trustedChain()
    {
        const CertFiles ca = m_pki->makeCa(u"ca"_s, u"Viewer Test CA"_s);
        QVERIFY2(!ca.certificate.isEmpty(), qPrintable(m_pki->lastError()));
        const CertFiles leaf = m_pki->makeLeaf(u"leaf"_s, ca, u"localhost"_s, u"DNS:localhost,IP:127.0.0.1"_s);
        QVERIFY2(!leaf.certificate.isEmpty(), qPrintable(m_pki->lastError()));
        const auto leafCert = QSslCertificate::fromPath(leaf.certificate);
        const auto caCert = QSslCertificate::fromPath(ca.certificate);

        m_viewer->setChain({leafCert.first(), caCert.first()}, caCert, false, u"localhost"_s);
        QVERIFY(m_viewer->analysis().trusted);
        QCOMPARE(chain()->topLevelItemCount(), 2);
        QTreeWidgetItem *leafItem = chain()->topLevelItem(0);
        QCOMPARE(leafItem->text(CertificateViewer::SubjectColumn), u"localhost"_s);
        QCOMPARE(leafItem->text(CertificateViewer::VerdictColumn), u"verified"_s);
        QCOMPARE(leafItem->childCount(), 0);
        QVERIFY2(leafItem->text(CertificateViewer::IssuedByColumn).startsWith(u"#2 Viewer Test CA"_s),
            qPrintable(leafItem->text(CertificateViewer::IssuedByColumn)));
        QCOMPARE(chain()->topLevelItem(1)->text(CertificateViewer::IssuedByColumn), u"itself (self-signed)"_s);
        QVERIFY2(nameLabel()->text().contains(u"Chain trusted."_s), qPrintable(nameLabel()->text()));
        QVERIFY2(nameLabel()->text().contains(u"“localhost” matches"_s), qPrintable(nameLabel()->text()));

        // Selecting the CA shows its details.
        m_viewer->selectCertificate(1);
        QCOMPARE(detail(u"Subject"_s, u"CN (commonName)"_s)->text(1), u"Viewer Test CA"_s);

        // Only the leaf sent: the anchor is listed after it as "not sent", and the path still verifies.
        m_viewer->setChain({leafCert.first()}, caCert, false, u"127.0.0.1"_s);
        QVERIFY(m_viewer->analysis().trusted);
        QCOMPARE(chain()->topLevelItemCount(), 2);
        QCOMPARE(chain()->topLevelItem(1)->text(CertificateViewer::VerdictColumn), u"trust anchor (not sent)"_s);
    }

    void untrustedChain()
    {
        const CertFiles ca = m_pki->makeCa(u"ca2"_s, u"Unknown CA"_s);
        const CertFiles leaf = m_pki->makeLeaf(u"leaf2"_s, ca, u"localhost"_s, u"DNS:localhost"_s);
        QVERIFY2(!leaf.certificate.isEmpty(), qPrintable(m_pki->lastError()));
        const auto leafCert = QSslCertificate::fromPath(leaf.certificate);

        // No anchor, no system store: the issuer is unknown.
        m_viewer->setChain(leafCert, {}, false, u"other.test"_s);
        QVERIFY(!m_viewer->analysis().trusted);
        QTreeWidgetItem *leafItem = chain()->topLevelItem(0);
        QVERIFY2(leafItem->text(CertificateViewer::VerdictColumn).startsWith(u"not verified: "_s),
            qPrintable(leafItem->text(CertificateViewer::VerdictColumn)));
        QVERIFY(leafItem->childCount() >= 1); // one row per error
        QVERIFY2(leafItem->text(CertificateViewer::VerdictColumn).contains(u"issuer"_s),
            qPrintable(leafItem->text(CertificateViewer::VerdictColumn)));
        QVERIFY2(nameLabel()->text().contains(u"NOT trusted"_s), qPrintable(nameLabel()->text()));
        QVERIFY2(nameLabel()->text().contains(u"“other.test” does NOT match"_s), qPrintable(nameLabel()->text()));
    }

    void garbageFileShowsError()
    {
        const QString garbage = path(u"garbage.pem"_s);
        QFile file(garbage);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not a certificate\n\x01\x02\x03 at all");
        file.close();

        QSignalSpy errors(m_viewer.get(), &CertificateViewer::errorOccurred);
        m_viewer->openFile(garbage);
        QCOMPARE(errors.count(), 1);
        QVERIFY2(m_viewer->bannerText().contains(garbage), qPrintable(m_viewer->bannerText()));
        QVERIFY(m_viewer->findChild<QLabel *>(u"bannerLabel"_s)->isVisible());

        const QString missing = path(u"missing.pem"_s);
        m_viewer->openFile(missing);
        QVERIFY2(m_viewer->bannerText().contains(missing), qPrintable(m_viewer->bannerText()));

        // A good file afterwards clears the banner.
        const CertFiles f = makeOpensslReqCertificate();
        m_viewer->openFile(f.certificate);
        QCOMPARE(m_viewer->bannerText(), QString());
    }

    void pkcs12AsksForPassphrase()
    {
        const CertFiles f = makeOpensslReqCertificate();
        const QString bundle = path(u"bundle.p12"_s);
        openssl({u"pkcs12"_s, u"-export"_s, u"-in"_s, f.certificate, u"-inkey"_s, f.key, u"-passout"_s,
            u"pass:s3cret"_s, u"-out"_s, bundle});
        QVERIFY(QFile::exists(bundle));

        QSignalSpy opened(m_viewer.get(), &CertificateViewer::fileOpened);
        m_viewer->openFile(bundle);
        QInputDialog *ask = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (ask = m_viewer->findChild<QInputDialog *>(u"pkcs12PassphraseDialog"_s)) != nullptr && ask->isVisible(),
            5000);
        ask->setTextValue(u"s3cret"_s);
        ask->accept();
        QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 5000);
        QCOMPARE(detail(u"Subject"_s, u"CN (commonName)"_s)->text(1), u"viewer.test"_s);

        // A wrong passphrase: an error naming the file, no crash.
        m_viewer->openFile(bundle);
        QTRY_VERIFY_WITH_TIMEOUT(
            (ask = m_viewer->findChild<QInputDialog *>(u"pkcs12PassphraseDialog"_s)) != nullptr && ask->isVisible(),
            5000);
        ask->setTextValue(u"wrong"_s);
        ask->accept();
        QTRY_VERIFY_WITH_TIMEOUT(m_viewer->bannerText().contains(bundle), 5000);
    }

    void exportWritesThePem()
    {
        const CertFiles f = makeOpensslReqCertificate();
        m_viewer->openFile(f.certificate);
        const QSslCertificate certificate = QSslCertificate::fromPath(f.certificate).first();

        const QString pemOut = path(u"exported.pem"_s);
        QSignalSpy exported(m_viewer.get(), &CertificateViewer::exported);
        QTest::mouseClick(m_viewer->findChild<QPushButton *>(u"exportPemButton"_s), Qt::LeftButton);
        acceptExportDialog(pemOut);
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 1, 5000);
        QFile pem(pemOut);
        QVERIFY(pem.open(QIODevice::ReadOnly));
        QCOMPARE(pem.readAll(), certificate.toPem());

        const QString derOut = path(u"exported.der"_s);
        QTest::mouseClick(m_viewer->findChild<QPushButton *>(u"exportDerButton"_s), Qt::LeftButton);
        acceptExportDialog(derOut);
        QTRY_COMPARE_WITH_TIMEOUT(exported.count(), 2, 5000);
        QCOMPARE(exported.at(1).first().toString(), derOut);
        QFile der(derOut);
        QVERIFY(der.open(QIODevice::ReadOnly));
        QCOMPARE(der.readAll(), certificate.toDer());

        // A folder that does not exist: an inline error, nothing else.
        QSignalSpy errors(m_viewer.get(), &CertificateViewer::errorOccurred);
        QTest::mouseClick(m_viewer->findChild<QPushButton *>(u"exportChainButton"_s), Qt::LeftButton);
        QFileDialog *dialog = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT(
            (dialog = m_viewer->findChild<QFileDialog *>(u"exportFileDialog"_s)) != nullptr && dialog->isVisible(),
            5000);
        // Bypass the dialog's own checks: the write itself must fail cleanly.
        Q_EMIT dialog->fileSelected(path(u"no/such/folder/chain.pem"_s));
        dialog->reject();
        QCOMPARE(errors.count(), 1);
        QVERIFY2(m_viewer->bannerText().startsWith(u"Export failed:"_s), qPrintable(m_viewer->bannerText()));
    }

    // Not a check: the documentation screenshot (set TLSLAB_SCREENSHOT to a PNG path to take it).
    void screenshot()
    {
        const QString out = qEnvironmentVariable("TLSLAB_SCREENSHOT");
        if (out.isEmpty())
            QSKIP("TLSLAB_SCREENSHOT not set");
        const CertFiles ca = m_pki->makeCa(u"shotca"_s, u"TLS Lab Example CA"_s);
        const CertFiles leaf
            = m_pki->makeLeaf(u"shotleaf"_s, ca, u"www.example.test"_s, u"DNS:www.example.test,DNS:example.test"_s);
        m_viewer->setChain(QSslCertificate::fromPath(leaf.chain), QSslCertificate::fromPath(ca.certificate), false,
            u"www.example.test"_s);
        m_viewer->resize(980, 720);
        QVERIFY(m_viewer->grab().save(out));
        qInfo("screenshot: %s", qPrintable(out));
    }
};

QTEST_MAIN(TestCertificateViewer)
#include "tst_certificateviewer.moc"
