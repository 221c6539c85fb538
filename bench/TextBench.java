// TextBench.java: the full-text benchmark's Lucene side (bench/text.sh).
// Indexes the documents of DOCS_TSV (id, title, body; StandardAnalyzer, the
// title boosted 4x as refuge weighs it) in memory, then runs every query of
// QUERIES_TSV (class, query; all words required) for the top 10 by BM25,
// ten times to warm up and once timed, and prints p50/p95 per class.
//
// usage: java -cp CLASSPATH TextBench DOCS_TSV QUERIES_TSV
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;

public class TextBench {
    public static void main(String[] args) throws Exception {
        StandardAnalyzer analyzer = new StandardAnalyzer();
        ByteBuffersDirectory dir = new ByteBuffersDirectory();
        long t0 = System.nanoTime();
        int docs = 0;
        try (IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(analyzer));
             BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", 3);
                if (f.length < 3) {
                    continue;
                }
                Document d = new Document();
                d.add(new StringField("id", f[0], Field.Store.YES));
                d.add(new TextField("title", f[1], Field.Store.NO));
                d.add(new TextField("body", f[2], Field.Store.NO));
                w.addDocument(d);
                docs++;
            }
            w.forceMerge(1);
        }
        double indexS = (System.nanoTime() - t0) / 1e9;
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(dir));
        Map<String, Float> boosts = new HashMap<>();
        boosts.put("title", 4.0f);
        boosts.put("body", 1.0f);
        MultiFieldQueryParser parser =
            new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer, boosts);
        parser.setDefaultOperator(QueryParser.Operator.AND);
        List<String[]> queries = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(Paths.get(args[1]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = in.readLine()) != null) {
                String[] f = line.split("\t", 2);
                if (f.length == 2) {
                    queries.add(f);
                }
            }
        }
        for (int round = 0; round < 10; round++) { // warm-up (the JIT compiles as it goes)
            for (String[] q : queries) {
                searcher.search(parser.parse(q[1]), 10);
            }
        }
        Map<String, List<Double>> lat = new LinkedHashMap<>();
        for (String[] q : queries) {
            long s = System.nanoTime();
            Query query = parser.parse(q[1]);
            TopDocs top = searcher.search(query, 10);
            for (int i = 0; i < top.scoreDocs.length; i++) {
                searcher.doc(top.scoreDocs[i].doc).get("id");
            }
            lat.computeIfAbsent(q[0], k -> new ArrayList<>()).add((System.nanoTime() - s) / 1e6);
        }
        System.out.printf("lucene: %d documents indexed in %.1f s (in memory)%n", docs, indexS);
        System.out.printf("%-10s %8s %10s %10s%n", "class", "queries", "p50 ms", "p95 ms");
        for (Map.Entry<String, List<Double>> e : lat.entrySet()) {
            double[] v = e.getValue().stream().mapToDouble(Double::doubleValue).toArray();
            Arrays.sort(v);
            System.out.printf("%-10s %8d %10.3f %10.3f%n", e.getKey(), v.length, v[v.length / 2],
                              v[(int) (v.length * 0.95)]);
        }
    }
}
