// Parsing + fingerprinting a ClientHello, over the real hellos of the fuzzers' seed corpus (openssl s_client with
// TLS 1.3 and 1.2 only, gnutls-cli, curl, Qt), recorded on loopback by tst_hellodissection. A benchmark, not a test: it
// prints figures and asserts nothing about speed.
#include "model/tls/fingerprints.h"
#include "model/tls/hellodissection.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>

#include <algorithm>
#include <cstdio>
#include <vector>

using namespace Qt::StringLiterals;
using namespace TlsLab::Model;

namespace {
// Median over batches of the time per call, in microseconds.
template<typename F>
double medianUs(const QList<QByteArray> &corpus, F work)
{
    constexpr int Batches = 301;
    constexpr int PerBatch = 200;
    std::vector<double> samples;
    samples.reserve(Batches);
    int sink = 0;
    for (int b = 0; b < Batches; ++b) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < PerBatch; ++i)
            sink += work(corpus.at((b * PerBatch + i) % corpus.size()));
        samples.push_back(double(timer.nsecsElapsed()) / PerBatch / 1000.0);
    }
    if (sink == 42) // keeps the work from being optimised away
        std::printf(" ");
    std::nth_element(samples.begin(), samples.begin() + Batches / 2, samples.end());
    return samples[Batches / 2];
}
} // namespace

int main()
{
    QList<QByteArray> corpus;
    const QDir dir(QStringLiteral(TLSLAB_CORPUS_DIR) + u"/clienthello"_s);
    for (const QString &name : dir.entryList({u"*.bin"_s}, QDir::Files, QDir::Name)) {
        if (name.startsWith(u"synthetic"_s)) // made by a test, not recorded from a client
            continue;
        QFile f(dir.filePath(name));
        if (f.open(QIODevice::ReadOnly))
            corpus.append(f.readAll());
    }
    if (corpus.isEmpty()) {
        std::fprintf(stderr, "no ClientHellos in %s\n", qPrintable(dir.path()));
        return 1;
    }
    for (const QByteArray &hello : corpus) {
        if (dissectClientHelloRecords(hello).status != DissectionStatus::Complete) {
            std::fprintf(stderr, "a corpus file is not a complete ClientHello\n");
            return 1;
        }
    }
    const double parse
        = medianUs(corpus, [](const QByteArray &b) { return int(dissectClientHelloRecords(b).extensions.size()); });
    const double both = medianUs(corpus, [](const QByteArray &b) {
        const ClientHelloDissection d = dissectClientHelloRecords(b);
        return int(clientFingerprints(d).ja4.size());
    });
    const double ja4Only = medianUs(corpus, [](const QByteArray &b) {
        const ClientHelloDissection d = dissectClientHelloRecords(b);
        return int(Ja4::cipherHash(d.cipherSuites).size());
    });
    const double cbor
        = medianUs(corpus, [](const QByteArray &b) { return int(dissectClientHelloRecords(b).toCbor().size()); });
    // What the tap records for a hello: its fields written straight into an event's encoded details.
    const double fields = medianUs(corpus, [](const QByteArray &b) {
        QByteArray out;
        dissectClientHelloRecords(b).appendCborFields(out);
        return int(out.size());
    });
    std::printf("hello.corpus_hellos: %d\n", int(corpus.size()));
    std::printf("hello.parse_median_us: %.2f\n", parse);
    std::printf("hello.parse_fingerprint_median_us: %.2f\n", both);
    std::printf("hello.parse_ja4_cipher_hash_median_us: %.2f (one SHA-256, for scale)\n", ja4Only);
    std::printf("hello.parse_to_cbor_median_us: %.2f (the QCborMap form)\n", cbor);
    std::printf("hello.parse_to_event_fields_median_us: %.2f (what the tap records)\n", fields);
    return 0;
}
