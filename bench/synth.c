/*
 * synth.c: a deterministic synthetic data set for the import/export benchmark.
 *
 *   synth json N [--seed S] > bundle.json
 *       writes a refuge-bundle/1 document with N cases, 3N persons and 10N
 *       events, plus the sources, organizations, risks and actions they refer
 *       to. Every reference resolves and every code is a real ISO code.
 *
 *   synth floor N DB [--seed S] [--migrations DIR]
 *       creates DB, applies DIR/NNNN_*.sql in name order (default
 *       src/store/sql/migrations) and inserts exactly the rows an import of
 *       the bundle above would write, into every table it would fill, with
 *       prepared statements in one transaction and the store's connection
 *       settings. Prints the rows inserted and the rate. This is the floor
 *       the importer is measured against.
 *
 * Both modes generate each object from its own PRNG stream (seeded from the
 * kind, the index and the seed), so they see exactly the same objects.
 *
 * Build: cc -O2 -Wall -Wextra -o bench/out/synth bench/synth.c $(pkg-config --cflags --libs
 * sqlite3)
 */
#define _POSIX_C_SOURCE 200809L

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ PRNG */

struct rng {
    uint64_t s;
};

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* splitmix64: small, fast and good enough for synthetic data. */
static uint64_t next64(struct rng *r)
{
    r->s += 0x9e3779b97f4a7c15ULL;
    return mix64(r->s);
}

static uint64_t g_seed = 20191206;

enum kind { K_SOURCE = 1, K_PERSON, K_ORG, K_CASE, K_EVENT, K_RISK, K_ACTION, K_HASH };

static struct rng rng_for(enum kind k, uint64_t index)
{
    struct rng r = {
        mix64(g_seed ^ ((uint64_t)k << 56) ^ mix64(index + 0x1234567ULL * (uint64_t)k))};
    return r;
}

/* A uniform integer in [0, n). */
static unsigned pick(struct rng *r, unsigned n)
{
    return n ? (unsigned)((next64(r) >> 32) * n >> 32) : 0;
}

/* True with probability pct/100. */
static int chance(struct rng *r, unsigned pct)
{
    return pick(r, 100) < pct;
}

/* A stateless hash of (salt, index) for choices other objects must be able
 * to recompute (a person's name, a case's scenario). */
static unsigned hpick(unsigned salt, uint64_t index, unsigned n)
{
    uint64_t h = mix64(g_seed ^ mix64(((uint64_t)salt << 48) ^ index ^ 0x5eedULL));
    return n ? (unsigned)((h >> 32) * n >> 32) : 0;
}

/* ------------------------------------------------------- reference data */

struct place_ref {
    const char *region; /* ISO 3166-2 */
    const char *city;
};

struct state {
    const char *code;
    const char *name;
    const char *adj;
    struct place_ref places[4];
    const char *top_orgs[4]; /* state_authority, court, police, ngo/un_agency */
};

/* States of refuge. Organizations and officials belong to these. */
static const struct state states[] = {
    {"KZ",
     "Kazakhstan",
     "Kazakh",
     {{"KZ-VOS", "Ust-Kamenogorsk"},
      {"KZ-ALA", "Almaty"},
      {"KZ-AST", "Astana"},
      {"KZ-ZHA", "Taraz"}},
     {"Committee of National Security of Kazakhstan", "Supreme Court of Kazakhstan",
      "Ministry of Internal Affairs of Kazakhstan",
      "Kazakhstan International Bureau for Human Rights"}},
    {"KG",
     "Kyrgyzstan",
     "Kyrgyz",
     {{"KG-GB", "Bishkek"}, {"KG-GO", "Osh"}, {"KG-C", "Tokmok"}, {"KG-Y", "Karakol"}},
     {"State Committee for National Security of Kyrgyzstan", "Supreme Court of Kyrgyzstan",
      "Ministry of Internal Affairs of Kyrgyzstan", "Adilet Legal Clinic"}},
    {"TR",
     "Turkey",
     "Turkish",
     {{"TR-34", "Istanbul"}, {"TR-06", "Ankara"}, {"TR-38", "Kayseri"}, {"TR-35", "Izmir"}},
     {"Presidency of Migration Management", "Constitutional Court of Turkey",
      "General Directorate of Security", "UNHCR Representation in Turkey"}},
    {"RU",
     "Russia",
     "Russian",
     {{"RU-MOW", "Moscow"},
      {"RU-SPE", "Saint Petersburg"},
      {"RU-NVS", "Novosibirsk"},
      {"RU-TA", "Kazan"}},
     {"Federal Security Service", "Supreme Court of the Russian Federation",
      "Ministry of Internal Affairs of the Russian Federation", "Civic Assistance Committee"}},
    {"TH",
     "Thailand",
     "Thai",
     {{"TH-10", "Bangkok"}, {"TH-90", "Hat Yai"}, {"TH-50", "Chiang Mai"}, {"TH-96", "Narathiwat"}},
     {"Immigration Bureau of Thailand", "Supreme Court of Thailand", "Royal Thai Police",
      "UNHCR Regional Office in Bangkok"}},
    {"EG",
     "Egypt",
     "Egyptian",
     {{"EG-C", "Cairo"}, {"EG-ALX", "Alexandria"}, {"EG-GZ", "Giza"}, {"EG-SUZ", "Suez"}},
     {"Ministry of Interior of Egypt", "Supreme State Security Prosecution",
      "Cairo Security Directorate", "Egyptian Initiative for Personal Rights"}},
    {"AE",
     "United Arab Emirates",
     "Emirati",
     {{"AE-DU", "Dubai"}, {"AE-AZ", "Abu Dhabi"}, {"AE-SH", "Sharjah"}, {"AE-AJ", "Ajman"}},
     {"Federal Authority for Identity, Citizenship, Customs and Port Security",
      "Federal Supreme Court", "Dubai Police", "Emirates Human Rights Association"}},
};

enum { N_STATES = LEN(states), ORG_TOPS = 4 };

static const char *const top_org_kinds[ORG_TOPS] = {"state_authority", "court", "police", "ngo"};

struct origin {
    const char *country;
    const char *country_name;
    const char *region;
    const char *region_name;
    const char *cities[4];
    const char *ethnicity;
    const char *profile; /* ethnic profile tag, matched by risks */
    const char *native_script;
    const char *native_lang;
    const char *translit_script;
    const char *translit_lang;
    int refuge[4]; /* indexes into states[], -1 ends */
    unsigned weight;
};

static const struct origin origins[] = {
    {"CN",
     "China",
     "CN-XJ",
     "Xinjiang",
     {"Ghulja", "Altay", "Tacheng", "Urumqi"},
     "Kazakh",
     "kazakh",
     "Cyrl",
     "kk",
     "Arab",
     "kk",
     {0, 1, 2, -1},
     35},
    {"CN",
     "China",
     "CN-XJ",
     "Xinjiang",
     {"Kashgar", "Hotan", "Aksu", "Urumqi"},
     "Uyghur",
     "uighur",
     "Arab",
     "ug",
     "Cyrl",
     "ug",
     {2, 0, 4, 5},
     35},
    {"CN",
     "China",
     "CN-XJ",
     "Xinjiang",
     {"Artux", "Ulugqat", "Akqi", "Kashgar"},
     "Kyrgyz",
     "kyrgyz",
     "Cyrl",
     "ky",
     "Arab",
     "ky",
     {1, 0, 2, -1},
     8},
    {"UZ",
     "Uzbekistan",
     "UZ-AN",
     "Andijan",
     {"Andijan", "Asaka", "Khanabad", "Shahrikhan"},
     "Uzbek",
     "uzbek",
     "Cyrl",
     "uz",
     "Arab",
     "uz",
     {3, 0, 2, -1},
     12},
    {"TJ",
     "Tajikistan",
     "TJ-SU",
     "Sughd",
     {"Khujand", "Isfara", "Istaravshan", "Panjakent"},
     "Tajik",
     "tajik",
     "Cyrl",
     "tg",
     "Arab",
     "tg",
     {3, 2, -1, -1},
     10},
};

enum { N_ORIGINS = LEN(origins) };

struct pname {
    const char *latin;
    const char *slug;
    const char *cyrl;
    const char *arab;
};

static const struct pname given_m[] = {
    {"Kaster", "kaster", "Кастер", "قاستەر"},
    {"Murager", "murager", "Мұрагер", "مۇراگەر"},
    {"Aibek", "aibek", "Айбек", "ئايبېك"},
    {"Nurlan", "nurlan", "Нұрлан", "نۇرلان"},
    {"Erlan", "erlan", "Ерлан", "ئېرلان"},
    {"Murat", "murat", "Мұрат", "مۇرات"},
    {"Abdurehim", "abdurehim", "Абдурехим", "ئابدۇرېھىم"},
    {"Askar", "askar", "Асқар", "ئاسقار"},
    {"Rustam", "rustam", "Рустам", "رۇستەم"},
    {"Serik", "serik", "Серік", "سېرىك"},
    {"Kairat", "kairat", "Қайрат", "قايرات"},
    {"Ilham", "ilham", "Ильхам", "ئىلھام"},
    {"Alimjan", "alimjan", "Алимжан", "ئالىمجان"},
    {"Dilshat", "dilshat", "Дильшат", "دىلشات"},
};

static const struct pname given_f[] = {
    {"Gulnara", "gulnara", "Гүлнара", "گۈلنارا"},
    {"Aigerim", "aigerim", "Айгерім", "ئايگېرىم"},
    {"Dilnur", "dilnur", "Ділнұр", "دىلنۇر"},
    {"Zulfiya", "zulfiya", "Зульфия", "زۇلفىيە"},
    {"Patigul", "patigul", "Патигүл", "پاتىگۈل"},
    {"Aynur", "aynur", "Айнұр", "ئاينۇر"},
    {"Sayragul", "sayragul", "Сайрагүл", "سايراگۈل"},
    {"Mihrigul", "mihrigul", "Михригүл", "مىھرىگۈل"},
    {"Gulbahar", "gulbahar", "Гүлбаһар", "گۈلباھار"},
    {"Madina", "madina", "Мадина", "مەدىنە"},
};

static const struct pname family[] = {
    {"Musakhanuly", "musakhanuly", "Мұсаханұлы", "مۇساخانۇلى"},
    {"Alimuly", "alimuly", "Әлімұлы", "ئالىمۇلى"},
    {"Tursun", "tursun", "Турсун", "تۇرسۇن"},
    {"Abdulla", "abdulla", "Абдулла", "ئابدۇللا"},
    {"Kadyr", "kadyr", "Қадыр", "قادىر"},
    {"Ismail", "ismail", "Исмаил", "ئىسمائىل"},
    {"Zhaksylyk", "zhaksylyk", "Жақсылық", "جاقسىلىق"},
    {"Sadyk", "sadyk", "Садық", "سادىق"},
    {"Yusup", "yusup", "Юсуп", "يۇسۇپ"},
    {"Khasen", "khasen", "Хасен", "خاسېن"},
    {"Niyaz", "niyaz", "Нияз", "نىياز"},
    {"Mamyt", "mamyt", "Мамыт", "مامىت"},
    {"Tokhti", "tokhti", "Тохти", "توختى"},
    {"Jelil", "jelil", "Жәлел", "جەلىل"},
};

/* Officials' names per state: Latin form, native form, its script and language. */
struct oname {
    const char *latin;
    const char *slug;
    const char *native;
    int female;
};

static const struct oname official_names[N_STATES][4] = {
    {{"Darhan Dilmanov", "darhan-dilmanov", "Дархан Дилманов", 0},
     {"Bolat Seitkali", "bolat-seitkali", "Болат Сейітқали", 0},
     {"Aliya Nurpeisova", "aliya-nurpeisova", "Әлия Нұрпейісова", 1},
     {"Yerzhan Ospanov", "yerzhan-ospanov", "Ержан Оспанов", 0}},
    {{"Almaz Toktorov", "almaz-toktorov", "Алмаз Токторов", 0},
     {"Nurbek Asanov", "nurbek-asanov", "Нурбек Асанов", 0},
     {"Cholpon Usenova", "cholpon-usenova", "Чолпон Усенова", 1},
     {"Bakyt Sydykov", "bakyt-sydykov", "Бакыт Сыдыков", 0}},
    {{"Mehmet Yilmaz", "mehmet-yilmaz", "Mehmet Yılmaz", 0},
     {"Ayse Kaya", "ayse-kaya", "Ayşe Kaya", 1},
     {"Mustafa Demir", "mustafa-demir", "Mustafa Demir", 0},
     {"Emine Celik", "emine-celik", "Emine Çelik", 1}},
    {{"Ivan Petrov", "ivan-petrov", "Иван Петров", 0},
     {"Sergei Volkov", "sergei-volkov", "Сергей Волков", 0},
     {"Olga Smirnova", "olga-smirnova", "Ольга Смирнова", 1},
     {"Dmitry Kuznetsov", "dmitry-kuznetsov", "Дмитрий Кузнецов", 0}},
    {{"Somchai Srisuk", "somchai-srisuk", "สมชาย ศรีสุข", 0},
     {"Niran Chaiyaporn", "niran-chaiyaporn", "นิรันดร์ ไชยพร", 0},
     {"Pranee Wongsa", "pranee-wongsa", "ปราณี วงศา", 1},
     {"Kittisak Boonmee", "kittisak-boonmee", "กิตติศักดิ์ บุญมี", 0}},
    {{"Ahmed Hassan", "ahmed-hassan", "أحمد حسن", 0},
     {"Mahmoud Farouk", "mahmoud-farouk", "محمود فاروق", 0},
     {"Mona Saleh", "mona-saleh", "منى صالح", 1},
     {"Omar Khalil", "omar-khalil", "عمر خليل", 0}},
    {{"Khalid Al Mansouri", "khalid-al-mansouri", "خالد المنصوري", 0},
     {"Saeed Al Nuaimi", "saeed-al-nuaimi", "سعيد النعيمي", 0},
     {"Fatima Al Shamsi", "fatima-al-shamsi", "فاطمة الشامسي", 1},
     {"Rashid Al Marri", "rashid-al-marri", "راشد المري", 0}},
};
static const char *const official_script[N_STATES] = {"Cyrl", "Cyrl", "Latn", "Cyrl",
                                                      "Thai", "Arab", "Arab"};
static const char *const official_lang[N_STATES] = {"kk", "ky", "tr", "ru", "th", "ar", "ar"};

struct publisher {
    const char *name;
    const char *slug;
    const char *kind;
    const char *url; /* printf: slug, year, index */
    const char *reliability;
};

static const struct publisher publishers[] = {
    {"Amnesty International", "ai", "report", "https://www.amnesty.org/en/documents/%s/%u/%04u/en/",
     "A"},
    {"Human Rights Watch", "hrw", "report", "https://www.hrw.org/report/%s/%u/%04u", "A"},
    {"UNHCR", "unhcr", "official_statement", "https://www.unhcr.org/news/%s-%u-%04u", "A"},
    {"Radio Free Asia", "rfa", "news", "https://www.rfa.org/english/news/%s/%u/%04u.html", "B"},
    {"Eurasianet", "eurasianet", "news", "https://eurasianet.org/%s-%u-%04u", "B"},
    {"Xinjiang Victims Database", "shahit", "testimony", "https://shahit.biz/eng/%s/%u/%04u", "C"},
    {"Court records", "court", "court_document", NULL, "B"},
    {"Family members", "family", "testimony", NULL, "D"},
};

static const char *const profile_tags[] = {"former-camp-detainee", "activist",
                                           "journalist",           "religious-practitioner",
                                           "relative-abroad",      "human-rights-defender",
                                           "student-abroad",       "muslim"};
static const char *const case_tags[] = {"xuar",          "central-asia", "refoulement",
                                        "detention",     "extradition",  "family-separation",
                                        "statelessness", "urgent"};
static const char *const harms[] = {
    "arbitrary_detention", "torture",      "forced_indoctrination", "enforced_disappearance",
    "surveillance",        "unfair_trial", "forced_labour"};
static const char *const demands[] = {"no_return",     "release",          "stop_prosecution",
                                      "asylum_access", "legal_assistance", "investigate",
                                      "monitor"};
static const char *const action_kinds[] = {"public_statement", "urgent_action", "appeal",
                                           "letter",           "meeting",       "litigation"};
static const char *const case_status[] = {"open", "open", "open", "monitoring", "closed"};

/* Event types in the order a story usually runs. */
enum evtype {
    EV_FLIGHT,
    EV_BORDER_CROSSING,
    EV_ASYLUM_APPLICATION,
    EV_UNHCR,
    EV_ARREST,
    EV_DETENTION,
    EV_ILL_TREATMENT,
    EV_LEGAL_ASSISTANCE,
    EV_ACCESS_DENIED,
    EV_CHARGE,
    EV_CONVICTION,
    EV_ACQUITTAL,
    EV_ASYLUM_DECISION,
    EV_REMOVAL_REQUESTED,
    EV_REMOVAL_ANNOUNCED,
    EV_REMOVAL_ORDERED,
    EV_REMOVAL_CANCELLED,
    EV_REMOVAL,
    EV_RELEASE,
    EV_OTHER,
    EV_COUNT
};

static const char *const evtype_names[EV_COUNT] = {
    "flight",
    "border_crossing",
    "asylum_application",
    "unhcr",
    "arrest",
    "detention",
    "ill_treatment",
    "legal_assistance",
    "access_denied",
    "charge",
    "conviction",
    "acquittal",
    "asylum_decision",
    "removal_requested",
    "removal_announced",
    "removal_ordered",
    "removal_cancelled",
    "removal",
    "release",
    "other",
};

/* ------------------------------------------------------------- objects */

/* Strings: "" means absent. Tri-states: T_ABSENT is left out of the JSON,
 * T_NULL is written as null; both store as NULL. */
enum { T_ABSENT = -2, T_NULL = -1 };

enum { ID_MAX = 64, TXT_MAX = 512, DATE_MAX = 11 };

struct date {
    int y, m, d; /* m, d = 0 at lower precision */
};

struct g_source {
    char id[ID_MAX], title[TXT_MAX], date[DATE_MAX], url[160];
    const char *publisher, *kind, *reliability, *credibility;
    int approx, has_file;
    char file_name[64], file_sha256[65];
    const char *file_media_type;
};

struct g_org {
    char id[ID_MAX], name[TXT_MAX], parent[ID_MAX];
    const char *country, *kind;
};

struct g_name {
    char full[128];
    const char *script, *lang, *kind;
};

struct g_position {
    char organization[ID_MAX];
    const char *title;
    char from[DATE_MAX], to[DATE_MAX];
};

struct g_person {
    char id[ID_MAX];
    struct g_name names[3];
    int n_names;
    const char *sex;
    char birth_date[DATE_MAX];
    const char *nationality[2];
    int n_nationality;
    const char *ethnicity, *religion;
    int has_origin;
    const char *origin_country, *origin_region, *origin_name;
    const char *profiles[3];
    int n_profiles;
    int sensitive, group;
    long group_size;
    char sources[2][ID_MAX];
    int n_sources;
    struct g_position positions[2];
    int n_positions;
};

struct g_case {
    char id[ID_MAX], title[TXT_MAX], opened[DATE_MAX], summary[TXT_MAX];
    const char *state, *status;
    char subjects[3][ID_MAX];
    const char *tags[3];
    int n_tags;
};

struct g_event {
    char id[ID_MAX];
    enum evtype type;
    char date[DATE_MAX], end_date[DATE_MAX];
    int approx;
    int has_place;
    const char *place_country, *place_region, *place_name;
    char persons[3][ID_MAX];
    int n_persons;
    char by[ID_MAX], official[ID_MAX];
    char description[TXT_MAX];
    char sources[2][ID_MAX];
    int n_sources;
    const char *from_country, *to_country, *by_country, *state;
    int irregular, presented;
    char presented_on[DATE_MAX];
    const char *outcome;
    int final;
    char appeal_until[DATE_MAX];
    const char *kind, *offence, *law, *sentence, *mode, *to;
    int entry_related, provided, alleged;
};

struct g_risk {
    char id[ID_MAX];
    const char *country, *region;
    const char *profiles[3];
    int n_profiles;
    const char *harms[4];
    int n_harms;
    char from[DATE_MAX], to[DATE_MAX];
    int to_null;
    char sources[2][ID_MAX];
    int n_sources;
};

struct g_action {
    char id[ID_MAX], case_id[ID_MAX];
    const char *kind;
    char date[DATE_MAX];
    int approx;
    char targets[2][ID_MAX];
    int n_targets;
    const char *demands[4];
    int n_demands;
    const char *outcome; /* NULL = absent, "" = null */
};

/* ------------------------------------------------------------- layout */

/* Counts and the pure functions that tie objects together. Persons
 * [0, M) are people at risk, [M, 3N) are officials. Case c < M/3 has persons
 * 3c..3c+2 as subjects; a later case c >= M/3 is a follow-up about the same
 * three people as case c - M/3 (onward flight to another state). */
struct layout {
    unsigned long n_cases, n_persons, n_events;
    unsigned long n_officials, n_at_risk, n_primary_cases;
    unsigned long n_sources, n_orgs, n_risks, n_actions;
};

static struct layout L;

static void layout_init(unsigned long n)
{
    L.n_cases = n;
    L.n_persons = 3 * n;
    L.n_events = 10 * n;
    L.n_officials = 3 * (n / 10);
    L.n_at_risk = L.n_persons - L.n_officials;
    L.n_primary_cases = L.n_at_risk / 3;
    L.n_sources = n / 50 < 20 ? 20 : n / 50;
    unsigned long orgs = n / 100 < 2 * N_STATES * ORG_TOPS ? 2 * N_STATES * ORG_TOPS : n / 100;
    L.n_orgs = (orgs + N_STATES - 1) / N_STATES * N_STATES;
    L.n_risks = n / 500 < 10 ? 10 : n / 500;
    L.n_actions = n;
}

static unsigned case_origin(unsigned long c)
{
    unsigned long base = c < L.n_primary_cases ? c : c - L.n_primary_cases;
    unsigned total = 0;
    for (size_t i = 0; i < N_ORIGINS; i++) {
        total += origins[i].weight;
    }
    unsigned w = hpick(1, base, total);
    for (unsigned i = 0; i < N_ORIGINS; i++) {
        if (w < origins[i].weight) {
            return i;
        }
        w -= origins[i].weight;
    }
    return 0;
}

static unsigned case_state(unsigned long c)
{
    const struct origin *o = &origins[case_origin(c)];
    unsigned n = 0;
    while (n < 4 && o->refuge[n] >= 0) {
        n++;
    }
    unsigned long base = c < L.n_primary_cases ? c : c - L.n_primary_cases;
    unsigned i = hpick(2, base, n);
    if (c >= L.n_primary_cases) {
        i = (i + 1) % n; /* moved on to another state */
    }
    return (unsigned)o->refuge[i];
}

static unsigned case_year(unsigned long c)
{
    unsigned long base = c < L.n_primary_cases ? c : c - L.n_primary_cases;
    return 2014 + hpick(3, base, 9) + (c >= L.n_primary_cases ? 1 : 0);
}

static int person_is_group(unsigned long p)
{
    return p < L.n_at_risk && hpick(4, p, 100) < 2;
}

static int person_female(unsigned long p)
{
    return hpick(5, p, 100) < 40;
}

static unsigned long case_subject(unsigned long c, int k)
{
    return (3 * c + (unsigned long)k) % (L.n_at_risk ? L.n_at_risk : 1);
}

static unsigned official_org(unsigned long j)
{
    return (unsigned)(j % L.n_orgs);
}

static void person_id(unsigned long p, char out[ID_MAX])
{
    if (p >= L.n_at_risk) {
        unsigned long j = p - L.n_at_risk;
        unsigned st = official_org(j) % N_STATES;
        snprintf(out, ID_MAX, "%s-%lu", official_names[st][hpick(6, p, 4)].slug, p);
    } else if (person_is_group(p)) {
        snprintf(out, ID_MAX, "group-%lu", p);
    } else {
        const struct pname *g = person_female(p) ? &given_f[hpick(7, p, LEN(given_f))]
                                                 : &given_m[hpick(7, p, LEN(given_m))];
        snprintf(out, ID_MAX, "%s-%s-%lu", g->slug, family[hpick(8, p, LEN(family))].slug, p);
    }
}

static void case_id(unsigned long c, char out[ID_MAX])
{
    char st[3] = {(char)(states[case_state(c)].code[0] + 32),
                  (char)(states[case_state(c)].code[1] + 32), 0};
    snprintf(out, ID_MAX, "%s-%u-%06lu", st, case_year(c), c);
}

/* out = prefix + suffix, cut to fit (ids here are far shorter than ID_MAX). */
static void append_id(char out[ID_MAX], const char *prefix, const char *suffix)
{
    size_t a = strlen(prefix), b = strlen(suffix);
    if (a + b >= ID_MAX) {
        a = a >= ID_MAX - 1 ? ID_MAX - 1 : a;
        b = ID_MAX - 1 - a;
    }
    memmove(out, prefix, a);
    memcpy(out + a, suffix, b);
    out[a + b] = 0;
}

static void source_id(unsigned long s, char out[ID_MAX])
{
    const struct publisher *pb = &publishers[s % LEN(publishers)];
    snprintf(out, ID_MAX, "%s-%u-%05lu", pb->slug, 2014 + hpick(9, s, 10), s);
}

static void org_id(unsigned long o, char out[ID_MAX])
{
    const struct state *st = &states[o % N_STATES];
    static const char *const kinds[ORG_TOPS] = {"security", "court", "police", "ngo"};
    char cc[3] = {(char)(st->code[0] + 32), (char)(st->code[1] + 32), 0};
    snprintf(out, ID_MAX, "%s-%s-%lu", cc, kinds[(o / N_STATES) % ORG_TOPS], o);
}

static unsigned long org_parent(unsigned long o)
{
    return o % (N_STATES * ORG_TOPS);
}

static int org_has_parent(unsigned long o)
{
    return o >= N_STATES * ORG_TOPS;
}

/* An organization of the state whose kind is one of `tops` (a bit per
 * top-level kind: 1 state_authority, 2 court, 4 police, 8 ngo); *official
 * gets one of its officials, or "" when it has none. */
static unsigned long state_org(struct rng *r, unsigned st, unsigned tops, char official[ID_MAX])
{
    unsigned groups = (unsigned)(L.n_orgs / N_STATES); /* organizations per state */
    unsigned cand[ORG_TOPS], nc = 0;
    for (unsigned t = 0; t < ORG_TOPS; t++) {
        if (tops & (1U << t)) {
            cand[nc++] = t;
        }
    }
    unsigned top = nc ? cand[pick(r, nc)] : 0;
    unsigned g = top + ORG_TOPS * pick(r, (groups - top - 1) / ORG_TOPS + 1);
    unsigned long o = st + (unsigned long)N_STATES * g;
    official[0] = 0;
    if (o < L.n_officials) {
        unsigned long t = pick(r, (unsigned)((L.n_officials - 1 - o) / L.n_orgs + 1));
        person_id(L.n_at_risk + o + t * L.n_orgs, official);
    }
    return o;
}

/* -------------------------------------------------------------- dates */

static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

static struct date date_add(struct date d, int days)
{
    while (days > 0) {
        int len = mdays[d.m - 1] + (d.m == 2 && d.y % 4 == 0 ? 1 : 0);
        if (d.d + days <= len) {
            d.d += days;
            break;
        }
        days -= len - d.d + 1;
        d.d = 1;
        if (++d.m > 12) {
            d.m = 1;
            d.y++;
        }
    }
    return d;
}

/* Writes d at a random precision: mostly days, some months, a few years. */
static void date_fmt(struct rng *r, struct date d, char out[DATE_MAX], unsigned pct_day,
                     unsigned pct_month)
{
    unsigned x = pick(r, 100);
    if (x < pct_day) {
        snprintf(out, DATE_MAX, "%04d-%02d-%02d", d.y, d.m, d.d);
    } else if (x < pct_day + pct_month) {
        snprintf(out, DATE_MAX, "%04d-%02d", d.y, d.m);
    } else {
        snprintf(out, DATE_MAX, "%04d", d.y);
    }
}

static void date_full(struct date d, char out[DATE_MAX])
{
    snprintf(out, DATE_MAX, "%04d-%02d-%02d", d.y, d.m, d.d);
}

static struct date date_rand(struct rng *r, int y)
{
    struct date d = {y, 1 + (int)pick(r, 12), 1};
    d.d = 1 + (int)pick(r, (unsigned)mdays[d.m - 1]);
    return d;
}

/* ---------------------------------------------------------- generators */

static void gen_source(unsigned long s, struct g_source *o)
{
    memset(o, 0, sizeof *o);
    struct rng r = rng_for(K_SOURCE, s);
    const struct publisher *pb = &publishers[s % LEN(publishers)];
    unsigned year = 2014 + hpick(9, s, 10);
    source_id(s, o->id);
    static const char *const topics[] = {
        "Mass detentions in the Xinjiang Uighur Autonomous Region",
        "Asylum-seekers at risk of return to China",
        "Ethnic Kazakhs and Uyghurs held for irregular border crossing",
        "Extradition requests against Central Asian migrants",
        "Families separated by the crackdown in Xinjiang",
        "Deportations of Uyghur students",
        "Testimony of a former detainee",
        "Court hearing on illegal crossing of the state border",
    };
    snprintf(o->title, sizeof o->title, "%s (%u)", topics[pick(&r, LEN(topics))], year);
    o->publisher = pb->name;
    o->kind = pb->kind;
    struct date d = date_rand(&r, (int)year);
    date_fmt(&r, d, o->date, 30, 60);
    o->approx = o->date[4] == 0 && chance(&r, 30);
    if (pb->url) {
        snprintf(o->url, sizeof o->url, pb->url, pb->slug, year, (unsigned)s);
    }
    o->reliability = pb->reliability;
    static const char *const cred[] = {"1", "2", "2", "3", "4"};
    o->credibility = chance(&r, 80) ? cred[pick(&r, LEN(cred))] : NULL;
    if (chance(&r, 30)) {
        o->has_file = 1;
        int pdf = chance(&r, 60);
        snprintf(o->file_name, sizeof o->file_name, "%s-%lu.%s", pb->slug, s, pdf ? "pdf" : "txt");
        for (int i = 0; i < 64; i += 16) {
            snprintf(o->file_sha256 + i, 17, "%016llx", (unsigned long long)next64(&r));
        }
        o->file_media_type = pdf ? "application/pdf" : "text/plain";
    }
}

static void gen_org(unsigned long o, struct g_org *g)
{
    memset(g, 0, sizeof *g);
    struct rng r = rng_for(K_ORG, o);
    const struct state *st = &states[o % N_STATES];
    unsigned top = (unsigned)((o / N_STATES) % ORG_TOPS);
    org_id(o, g->id);
    g->country = st->code;
    g->kind = top_org_kinds[top];
    if (top == 3 && strstr(st->top_orgs[3], "UNHCR")) {
        g->kind = "un_agency";
    }
    if (!org_has_parent(o)) {
        snprintf(g->name, sizeof g->name, "%s", st->top_orgs[top]);
        return;
    }
    org_id(org_parent(o), g->parent);
    const struct place_ref *pl = &st->places[pick(&r, 4)];
    static const char *const sub[ORG_TOPS][3] = {
        {"Border Service, %s department", "Migration Service, %s office",
         "Investigations Department, %s"},
        {"%s City Court", "%s Regional Court", "Specialised Inter-District Court, %s"},
        {"%s City Police Department", "Migration Police, %s", "Police Department, %s District"},
        {"%s office", "%s field office", "Legal aid centre, %s"},
    };
    char unit[160];
    snprintf(unit, sizeof unit, sub[top][pick(&r, 3)], pl->city);
    if (top == 3) {
        snprintf(g->name, sizeof g->name, "%s, %s", st->top_orgs[3], unit);
    } else {
        snprintf(g->name, sizeof g->name, "%s (%lu)", unit, o / (N_STATES * ORG_TOPS));
    }
}

static void set_name(struct g_name *n, const char *full, const char *script, const char *lang,
                     const char *kind)
{
    snprintf(n->full, sizeof n->full, "%s", full);
    n->script = script;
    n->lang = lang;
    n->kind = kind;
}

static void gen_person(unsigned long p, struct g_person *g)
{
    memset(g, 0, sizeof *g);
    struct rng r = rng_for(K_PERSON, p);
    person_id(p, g->id);
    g->sensitive = T_ABSENT;
    g->group = T_ABSENT;
    if (p >= L.n_at_risk) {
        /* An official: their state's nationality, one or two positions. */
        unsigned long j = p - L.n_at_risk;
        unsigned long o = official_org(j);
        unsigned st = (unsigned)(o % N_STATES);
        const struct oname *on = &official_names[st][hpick(6, p, 4)];
        set_name(&g->names[g->n_names++], on->latin, "Latn", "en", "primary");
        if (strcmp(on->native, on->latin) != 0 || chance(&r, 50)) {
            set_name(&g->names[g->n_names++], on->native, official_script[st], official_lang[st],
                     "native");
        }
        g->sex = on->female ? "female" : "male";
        if (chance(&r, 40)) {
            date_fmt(&r, date_rand(&r, 1960 + (int)pick(&r, 30)), g->birth_date, 40, 0);
        }
        g->nationality[g->n_nationality++] = states[st].code;
        g->sensitive = chance(&r, 70) ? 0 : T_ABSENT;
        static const char *const titles[ORG_TOPS][3] = {
            {"Director", "Head of Department", "Senior Investigator"},
            {"Judge", "Presiding Judge", "Court Secretary"},
            {"Chief of Police", "Deputy Chief", "Inspector"},
            {"Director", "Protection Officer", "Lawyer"},
        };
        unsigned top = (unsigned)((o / N_STATES) % ORG_TOPS);
        struct g_position *ps = &g->positions[g->n_positions++];
        org_id(o, ps->organization);
        ps->title = titles[top][pick(&r, 3)];
        int from = 2010 + (int)pick(&r, 12);
        date_fmt(&r, date_rand(&r, from), ps->from, 30, 30);
        if (org_has_parent(o) && chance(&r, 30)) {
            struct g_position *pp = &g->positions[g->n_positions++];
            org_id(org_parent(o), pp->organization);
            pp->title = titles[top][pick(&r, 3)];
            int y0 = from - 1 - (int)pick(&r, 6);
            snprintf(pp->from, DATE_MAX, "%04d", y0);
            snprintf(pp->to, DATE_MAX, "%04d", from);
        }
        if (chance(&r, 50)) {
            source_id(pick(&r, (unsigned)L.n_sources), g->sources[g->n_sources++]);
        }
        return;
    }

    unsigned long c = p / 3;
    const struct origin *og = &origins[case_origin(c)];
    const struct state *st = &states[case_state(c)];
    if (person_is_group(p)) {
        g->group = 1;
        g->group_size = 5 + (long)pick(&r, 40);
        char full[128];
        snprintf(full, sizeof full, "Group of %ld ethnic %s %s", g->group_size, og->ethnicity,
                 chance(&r, 70) ? "men" : "asylum-seekers");
        set_name(&g->names[g->n_names++], full, "Latn", "en", "primary");
    } else {
        int f = person_female(p);
        const struct pname *gv =
            f ? &given_f[hpick(7, p, LEN(given_f))] : &given_m[hpick(7, p, LEN(given_m))];
        const struct pname *fm = &family[hpick(8, p, LEN(family))];
        char full[128];
        snprintf(full, sizeof full, "%s %s", gv->latin, fm->latin);
        set_name(&g->names[g->n_names++], full, "Latn", "en", "primary");
        unsigned extra = pick(&r, 10); /* 0-1: one name, 2-6: two, 7-9: three */
        if (extra >= 2) {
            int arab = strcmp(og->native_script, "Arab") == 0;
            snprintf(full, sizeof full, "%s %s", arab ? gv->arab : gv->cyrl,
                     arab ? fm->arab : fm->cyrl);
            set_name(&g->names[g->n_names++], full, og->native_script, og->native_lang, "native");
        }
        if (extra >= 7) {
            int arab = strcmp(og->translit_script, "Arab") == 0;
            snprintf(full, sizeof full, "%s %s", arab ? gv->arab : gv->cyrl,
                     arab ? fm->arab : fm->cyrl);
            set_name(&g->names[g->n_names++], full, og->translit_script, og->translit_lang,
                     chance(&r, 50) ? "transliteration" : "alias");
        }
        g->sex = f ? "female" : "male";
        if (chance(&r, 70)) {
            date_fmt(&r, date_rand(&r, 1950 + (int)pick(&r, 50)), g->birth_date, 40, 10);
        }
        g->sensitive = chance(&r, 60) ? T_ABSENT : (chance(&r, 90) ? 1 : T_NULL);
    }
    g->nationality[g->n_nationality++] = og->country;
    if (chance(&r, 8)) {
        g->nationality[g->n_nationality++] = st->code;
    }
    g->ethnicity = og->ethnicity;
    g->religion = chance(&r, 85) ? "Muslim" : NULL;
    if (chance(&r, 85)) {
        g->has_origin = 1;
        g->origin_country = og->country;
        g->origin_region = chance(&r, 90) ? og->region : NULL;
        g->origin_name = chance(&r, 60) ? og->cities[pick(&r, 4)] : NULL;
    }
    g->profiles[g->n_profiles++] = og->profile;
    unsigned np = pick(&r, 3);
    for (unsigned i = 0; i < np; i++) {
        const char *t = profile_tags[pick(&r, LEN(profile_tags))];
        int dup = 0;
        for (int k = 0; k < g->n_profiles; k++) {
            dup |= strcmp(g->profiles[k], t) == 0;
        }
        if (!dup) {
            g->profiles[g->n_profiles++] = t;
        }
    }
    source_id(pick(&r, (unsigned)L.n_sources), g->sources[g->n_sources++]);
}

static void gen_case(unsigned long c, struct g_case *g)
{
    memset(g, 0, sizeof *g);
    struct rng r = rng_for(K_CASE, c);
    const struct origin *og = &origins[case_origin(c)];
    const struct state *st = &states[case_state(c)];
    case_id(c, g->id);
    g->state = st->code;
    int groups = 0;
    for (int k = 0; k < 3; k++) {
        unsigned long p = case_subject(c, k);
        person_id(p, g->subjects[k]);
        groups += person_is_group(p);
    }
    static const char *const fates[] = {"at risk of return to", "facing extradition to",
                                        "detained and at risk of deportation to",
                                        "refused protection and at risk of return to"};
    snprintf(g->title, sizeof g->title, "%s ethnic %s asylum-seekers %s %s",
             groups ? "A group of" : "Three", og->ethnicity, fates[pick(&r, LEN(fates))],
             og->country_name);
    struct date d = date_rand(&r, (int)case_year(c));
    date_fmt(&r, d, g->opened, 80, 15);
    g->status = case_status[pick(&r, LEN(case_status))];
    if (chance(&r, 90)) {
        snprintf(
            g->summary, sizeof g->summary,
            "Ethnic %s people from %s, %s, who crossed into %s and asked for protection. "
            "They are held by the authorities in %s and the %s authorities have said they will be "
            "returned to %s, where people of their profile are arbitrarily detained.",
            og->ethnicity, og->region_name, og->country_name, st->name,
            st->places[pick(&r, 4)].city, st->adj, og->country_name);
    }
    unsigned nt = 1 + pick(&r, 3);
    for (unsigned i = 0; i < nt; i++) {
        const char *t = case_tags[pick(&r, LEN(case_tags))];
        int dup = 0;
        for (int k = 0; k < g->n_tags; k++) {
            dup |= strcmp(g->tags[k], t) == 0;
        }
        if (!dup) {
            g->tags[g->n_tags++] = t;
        }
    }
}

/* The event story of case c: types of events 0..9, in story order. */
static void case_story(unsigned long c, enum evtype types[10])
{
    struct rng r = rng_for(K_HASH, c);
    types[0] = EV_FLIGHT;
    types[1] = EV_BORDER_CROSSING;
    types[2] = EV_ASYLUM_APPLICATION;
    for (int k = 3; k < 10; k++) {
        types[k] = (enum evtype)(EV_UNHCR + pick(&r, EV_COUNT - EV_UNHCR));
    }
    /* insertion sort of the random part */
    for (int i = 4; i < 10; i++) {
        enum evtype t = types[i];
        int j = i - 1;
        while (j >= 3 && types[j] > t) {
            types[j + 1] = types[j];
            j--;
        }
        types[j + 1] = t;
    }
}

static int tri(struct rng *r)
{
    unsigned x = pick(r, 10);
    return x < 5 ? 1 : x < 7 ? 0 : x < 9 ? T_ABSENT : T_NULL;
}

static void gen_event(unsigned long e, struct g_event *g)
{
    memset(g, 0, sizeof *g);
    unsigned long c = e / 10;
    int k = (int)(e % 10);
    struct rng r = rng_for(K_EVENT, e);
    const struct origin *og = &origins[case_origin(c)];
    unsigned sti = case_state(c);
    const struct state *st = &states[sti];
    enum evtype types[10];
    case_story(c, types);
    g->type = types[k];
    char cid[ID_MAX];
    case_id(c, cid);
    char suffix[8] = {'-', 'e', (char)('0' + k / 10), (char)('0' + k % 10), 0};
    append_id(g->id, cid, suffix);
    g->irregular = g->presented = g->final = g->entry_related = g->provided = g->alleged = T_ABSENT;

    /* Dates run forward through the story: about six weeks a step. */
    struct rng story = rng_for(K_HASH, c | (1ULL << 62));
    struct date d = date_rand(&story, (int)case_year(c) - 1);
    for (int i = 0; i < k; i++) {
        d = date_add(d, 7 + (int)pick(&story, 60));
    }
    if (g->type == EV_ILL_TREATMENT && chance(&r, 40)) {
        /* alleged treatment often has no date */
    } else {
        date_fmt(&r, d, g->date, 70, 20);
        g->approx = g->date[4] != 0 ? chance(&r, 10) : chance(&r, 40);
    }

    /* Who it happened to: one subject or all three. */
    int all = chance(&r, 50);
    int first = (int)pick(&r, 3);
    for (int i = 0; i < 3; i++) {
        if (all || i == first) {
            person_id(case_subject(c, i), g->persons[g->n_persons++]);
        }
    }
    source_id(pick(&r, (unsigned)L.n_sources), g->sources[g->n_sources++]);
    if (chance(&r, 30)) {
        unsigned long s2 = pick(&r, (unsigned)L.n_sources);
        source_id(s2, g->sources[1]);
        if (strcmp(g->sources[1], g->sources[0]) != 0) {
            g->n_sources = 2;
        }
    }

    /* Where: in the state of refuge, or in the country of origin. */
    int in_origin = g->type == EV_FLIGHT || g->type == EV_ILL_TREATMENT;
    if (chance(&r, in_origin ? 50 : 70)) {
        g->has_place = 1;
        if (in_origin) {
            g->place_country = og->country;
            g->place_region = og->region;
            g->place_name = chance(&r, 50) ? og->cities[pick(&r, 4)] : NULL;
        } else {
            const struct place_ref *pl = &st->places[pick(&r, 4)];
            g->place_country = chance(&r, 95) ? st->code : NULL;
            g->place_region = g->place_country && chance(&r, 80) ? pl->region : NULL;
            g->place_name = chance(&r, 60) ? pl->city : NULL;
            if (!g->place_country && !g->place_name) {
                g->place_name = pl->city;
            }
        }
    }

    /* Who acted. */
    int state_act = g->type >= EV_ARREST && g->type != EV_ILL_TREATMENT && g->type != EV_OTHER &&
                    g->type != EV_LEGAL_ASSISTANCE;
    if (state_act && chance(&r, 75)) {
        enum { SEC = 1, COURT = 2, POLICE = 4 };

        unsigned tops = g->type == EV_ARREST || g->type == EV_DETENTION || g->type == EV_CHARGE
                            ? SEC | POLICE
                        : g->type == EV_CONVICTION || g->type == EV_ACQUITTAL ? COURT
                        : g->type == EV_ASYLUM_DECISION                       ? SEC
                        : g->type == EV_REMOVAL_ORDERED                       ? SEC | COURT
                                                                              : SEC | POLICE;
        char official[ID_MAX];
        unsigned long o = state_org(&r, sti, tops, official);
        org_id(o, g->by);
        if (official[0] && chance(&r, 40)) {
            snprintf(g->official, sizeof g->official, "%s", official);
        }
    }

    const char *desc = NULL;
    char buf[TXT_MAX];
    struct date later = date_add(d, 10 + (int)pick(&r, 30));
    switch (g->type) {
    case EV_FLIGHT:
        g->from_country = og->country;
        snprintf(buf, sizeof buf, "Left %s after relatives were detained in %s.", og->country_name,
                 og->region_name);
        desc = buf;
        break;
    case EV_BORDER_CROSSING:
        g->from_country = og->country;
        g->to_country = st->code;
        g->irregular = tri(&r);
        g->presented = tri(&r);
        if (g->presented == 1 && chance(&r, 60)) {
            date_full(later, g->presented_on);
        }
        snprintf(buf, sizeof buf, "Crossed the border from %s into %s%s.", og->country_name,
                 st->name, g->irregular == 1 ? " irregularly" : "");
        desc = buf;
        break;
    case EV_ASYLUM_APPLICATION:
        g->state = st->code;
        desc = chance(&r, 50) ? "Applied for asylum." : NULL;
        break;
    case EV_ASYLUM_DECISION: {
        static const char *const outcomes[] = {"recognised", "complementary", "refused",
                                               "refused",    "inadmissible",  "withdrawn"};
        g->outcome = outcomes[pick(&r, LEN(outcomes))];
        g->final = tri(&r);
        if (chance(&r, 50)) {
            date_full(later, g->appeal_until);
        }
        break;
    }
    case EV_DETENTION: {
        static const char *const kinds[] = {"pretrial", "immigration", "administrative", "camp",
                                            "other"};
        g->kind = kinds[pick(&r, LEN(kinds))];
        if (g->date[0] && chance(&r, 40)) {
            date_full(date_add(d, 30 + (int)pick(&r, 300)), g->end_date);
        }
        desc = "Held in custody.";
        break;
    }
    case EV_CHARGE:
        g->offence = chance(&r, 60) ? "illegal crossing of the state border"
                                    : "violation of the rules of stay";
        g->law = chance(&r, 50) ? "Criminal Code, article 392" : NULL;
        g->entry_related = tri(&r);
        break;
    case EV_CONVICTION:
        g->offence = "illegal crossing of the state border";
        g->sentence = chance(&r, 50) ? "six months' imprisonment" : "fine and expulsion";
        g->entry_related = tri(&r);
        break;
    case EV_REMOVAL_ANNOUNCED:
    case EV_REMOVAL_CANCELLED:
        g->to_country = og->country;
        if (g->type == EV_REMOVAL_ANNOUNCED) {
            snprintf(buf, sizeof buf, "The authorities said they would return them to %s.",
                     og->country_name);
            desc = buf;
        }
        break;
    case EV_REMOVAL_REQUESTED:
        g->to_country = og->country;
        g->by_country = chance(&r, 50) ? og->country : NULL;
        if (chance(&r, 40)) {
            date_full(later, g->appeal_until);
        }
        break;
    case EV_REMOVAL_ORDERED:
        g->to_country = og->country;
        if (chance(&r, 60)) {
            date_full(later, g->appeal_until);
        }
        break;
    case EV_REMOVAL: {
        static const char *const modes[] = {"deportation", "extradition", "handover", "other"};
        g->to_country = og->country;
        g->mode = modes[pick(&r, LEN(modes))];
        break;
    }
    case EV_LEGAL_ASSISTANCE:
        g->provided = tri(&r);
        break;
    case EV_ACCESS_DENIED: {
        static const char *const to[] = {"asylum_procedure", "lawyer", "unhcr", "family",
                                         "consular"};
        g->to = to[pick(&r, LEN(to))];
        break;
    }
    case EV_ILL_TREATMENT: {
        static const char *const kinds[] = {"torture",
                                            "beating",
                                            "arbitrary_detention",
                                            "enforced_disappearance",
                                            "forced_indoctrination",
                                            "other"};
        g->kind = kinds[pick(&r, LEN(kinds))];
        g->alleged = tri(&r);
        desc = "Says they were held in a re-education camp and beaten.";
        break;
    }
    case EV_UNHCR: {
        static const char *const kinds[] = {"registered", "recognised", "mandate_refugee"};
        g->kind = kinds[pick(&r, LEN(kinds))];
        break;
    }
    case EV_OTHER:
        desc = "Family members in the country of origin were questioned by the police.";
        break;
    case EV_ARREST:
    case EV_RELEASE:
    case EV_ACQUITTAL:
    case EV_COUNT:
        break;
    }
    if (desc && chance(&r, 70)) {
        snprintf(g->description, sizeof g->description, "%s", desc);
    }
}

static void gen_risk(unsigned long i, struct g_risk *g)
{
    memset(g, 0, sizeof *g);
    struct rng r = rng_for(K_RISK, i);
    const struct origin *og = &origins[i % N_ORIGINS];
    int year = 2014 + (int)pick(&r, 8);
    char cc[3] = {(char)(og->country[0] + 32), (char)(og->country[1] + 32), 0};
    snprintf(g->id, sizeof g->id, "risk-%s-%s-%d-%lu", cc, og->profile, year, i);
    g->country = og->country;
    g->region = chance(&r, 80) ? og->region : NULL;
    if (chance(&r, 85)) {
        g->profiles[g->n_profiles++] = og->profile;
        if (chance(&r, 50)) {
            g->profiles[g->n_profiles++] = "muslim";
        }
        if (chance(&r, 30)) {
            g->profiles[g->n_profiles++] = "former-camp-detainee";
        }
    }
    unsigned start = pick(&r, LEN(harms));
    g->n_harms = 2 + (int)pick(&r, 3);
    for (int k = 0; k < g->n_harms; k++) {
        g->harms[k] = harms[(start + (unsigned)k) % LEN(harms)];
    }
    snprintf(g->from, DATE_MAX, "%04d", year);
    if (chance(&r, 20)) {
        snprintf(g->to, DATE_MAX, "%04d-%02d", year + 1 + (int)pick(&r, 5), 1 + (int)pick(&r, 12));
    } else {
        g->to_null = chance(&r, 50);
    }
    source_id(pick(&r, (unsigned)L.n_sources), g->sources[g->n_sources++]);
    if (chance(&r, 50)) {
        source_id(pick(&r, (unsigned)L.n_sources), g->sources[1]);
        if (strcmp(g->sources[0], g->sources[1]) != 0) {
            g->n_sources = 2;
        }
    }
}

static void gen_action(unsigned long a, struct g_action *g)
{
    memset(g, 0, sizeof *g);
    unsigned long c = a; /* one action per case */
    struct rng r = rng_for(K_ACTION, a);
    unsigned sti = case_state(c);
    case_id(c, g->case_id);
    append_id(g->id, g->case_id, "-a1");
    g->kind = action_kinds[pick(&r, LEN(action_kinds))];
    struct date d = date_rand(&r, (int)case_year(c) + 1);
    date_fmt(&r, d, g->date, 60, 35);
    g->approx = chance(&r, 5);
    char official[ID_MAX];
    unsigned long o = state_org(&r, sti, chance(&r, 70) ? 1 : 2, official);
    org_id(o, g->targets[g->n_targets++]);
    if (chance(&r, 30)) {
        if (official[0]) {
            snprintf(g->targets[g->n_targets++], ID_MAX, "%s", official);
        } else if (o != sti) {
            org_id(sti, g->targets[g->n_targets++]);
        }
    }
    g->demands[g->n_demands++] = "no_return";
    unsigned nd = pick(&r, 4);
    for (unsigned i = 0; i < nd; i++) {
        const char *dm = demands[1 + pick(&r, LEN(demands) - 1)];
        int dup = 0;
        for (int k = 0; k < g->n_demands; k++) {
            dup |= strcmp(g->demands[k], dm) == 0;
        }
        if (!dup) {
            g->demands[g->n_demands++] = dm;
        }
    }
    unsigned x = pick(&r, 10);
    g->outcome = x < 5   ? NULL
                 : x < 7 ? ""
                 : x < 9 ? "No response from the authorities."
                         : "Released on bail.";
}

/* ---------------------------------------------------------- JSON output */

static FILE *jout;
static int first_field;

static void jraw(const char *s)
{
    fputs(s, jout);
}

static void jstring(const char *s)
{
    putc('"', jout);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            putc('\\', jout);
            putc(*p, jout);
        } else if (*p < 0x20) {
            fprintf(jout, "\\u%04x", *p);
        } else {
            putc(*p, jout);
        }
    }
    putc('"', jout);
}

static void jkey(const char *key)
{
    if (!first_field) {
        putc(',', jout);
    }
    first_field = 0;
    putc('"', jout);
    fputs(key, jout);
    fputs("\":", jout);
}

static void jobj_begin(void)
{
    putc('{', jout);
    first_field = 1;
}

static void jobj_end(void)
{
    putc('}', jout);
    first_field = 0;
}

/* A string field; absent when s is NULL or empty. */
static void jstr(const char *key, const char *s)
{
    if (s && *s) {
        jkey(key);
        jstring(s);
    }
}

static void jbool(const char *key, int v)
{
    jkey(key);
    jraw(v ? "true" : "false");
}

static void jtri(const char *key, int v)
{
    if (v == T_ABSENT) {
        return;
    }
    jkey(key);
    jraw(v == T_NULL ? "null" : v ? "true" : "false");
}

static void jlist(const char *key, const char *const *items, int n)
{
    jkey(key);
    putc('[', jout);
    for (int i = 0; i < n; i++) {
        if (i) {
            putc(',', jout);
        }
        jstring(items[i]);
    }
    putc(']', jout);
}

static void jids(const char *key, const char ids[][ID_MAX], int n)
{
    jkey(key);
    putc('[', jout);
    for (int i = 0; i < n; i++) {
        if (i) {
            putc(',', jout);
        }
        jstring(ids[i]);
    }
    putc(']', jout);
}

static void jplace(const char *key, const char *country, const char *region, const char *name)
{
    jkey(key);
    jobj_begin();
    jstr("country", country);
    jstr("region", region);
    jstr("name", name);
    jobj_end();
}

static void json_source(const struct g_source *s)
{
    jobj_begin();
    jstr("id", s->id);
    jstr("title", s->title);
    jstr("publisher", s->publisher);
    jstr("date", s->date);
    if (s->approx) {
        jbool("approx", 1);
    }
    jstr("url", s->url);
    jstr("kind", s->kind);
    jstr("reliability", s->reliability);
    jstr("credibility", s->credibility);
    if (s->has_file) {
        jkey("file");
        jobj_begin();
        jstr("name", s->file_name);
        jstr("sha256", s->file_sha256);
        jstr("media_type", s->file_media_type);
        jobj_end();
    }
    jobj_end();
}

static void json_org(const struct g_org *o)
{
    jobj_begin();
    jstr("id", o->id);
    jstr("name", o->name);
    jstr("country", o->country);
    jstr("kind", o->kind);
    jstr("parent", o->parent);
    jobj_end();
}

static void json_person(const struct g_person *p)
{
    jobj_begin();
    jstr("id", p->id);
    jkey("names");
    putc('[', jout);
    for (int i = 0; i < p->n_names; i++) {
        if (i) {
            putc(',', jout);
        }
        jobj_begin();
        jstr("full", p->names[i].full);
        jstr("script", p->names[i].script);
        jstr("lang", p->names[i].lang);
        jstr("kind", p->names[i].kind);
        jobj_end();
    }
    putc(']', jout);
    jstr("sex", p->sex);
    jstr("birth_date", p->birth_date);
    jlist("nationality", p->nationality, p->n_nationality);
    jstr("ethnicity", p->ethnicity);
    jstr("religion", p->religion);
    if (p->has_origin) {
        jplace("origin", p->origin_country, p->origin_region, p->origin_name);
    }
    if (p->n_profiles) {
        jlist("profiles", p->profiles, p->n_profiles);
    }
    jtri("sensitive", p->sensitive);
    jtri("group", p->group);
    if (p->group_size) {
        jkey("group_size");
        fprintf(jout, "%ld", p->group_size);
    }
    if (p->n_sources) {
        jids("sources", p->sources, p->n_sources);
    }
    if (p->n_positions) {
        jkey("positions");
        putc('[', jout);
        for (int i = 0; i < p->n_positions; i++) {
            if (i) {
                putc(',', jout);
            }
            jobj_begin();
            jstr("organization", p->positions[i].organization);
            jstr("title", p->positions[i].title);
            jstr("from", p->positions[i].from);
            jstr("to", p->positions[i].to);
            jobj_end();
        }
        putc(']', jout);
    }
    jobj_end();
}

static void json_case(const struct g_case *c)
{
    jobj_begin();
    jstr("id", c->id);
    jstr("title", c->title);
    jstr("state", c->state);
    jids("subjects", c->subjects, 3);
    jstr("opened", c->opened);
    jstr("status", c->status);
    jstr("summary", c->summary);
    jlist("tags", c->tags, c->n_tags);
    jobj_end();
}

static void json_event(const struct g_event *e)
{
    jobj_begin();
    jstr("id", e->id);
    jstr("type", evtype_names[e->type]);
    jstr("date", e->date);
    if (e->approx) {
        jbool("approx", 1);
    }
    if (e->end_date[0]) {
        jstr("end_date", e->end_date);
    } else if (e->type == EV_DETENTION && e->date[0]) {
        jkey("end_date");
        jraw("null");
    }
    if (e->has_place) {
        jplace("place", e->place_country, e->place_region, e->place_name);
    }
    jids("persons", e->persons, e->n_persons);
    jstr("by", e->by);
    jstr("official", e->official);
    jstr("description", e->description);
    jids("sources", e->sources, e->n_sources);
    jstr("from_country", e->from_country);
    jstr("to_country", e->to_country);
    jstr("by_country", e->by_country);
    jstr("state", e->state);
    jtri("irregular", e->irregular);
    jtri("presented_to_authorities", e->presented);
    jstr("presented_on", e->presented_on);
    jstr("outcome", e->outcome);
    jtri("final", e->final);
    jstr("appeal_until", e->appeal_until);
    jstr("kind", e->kind);
    jstr("offence", e->offence);
    jstr("law", e->law);
    jstr("sentence", e->sentence);
    jtri("entry_related", e->entry_related);
    jstr("mode", e->mode);
    jtri("provided", e->provided);
    jstr("to", e->to);
    jtri("alleged", e->alleged);
    jobj_end();
}

static void json_risk(const struct g_risk *k)
{
    jobj_begin();
    jstr("id", k->id);
    jstr("country", k->country);
    jstr("region", k->region);
    jlist("profiles", k->profiles, k->n_profiles);
    jlist("harms", k->harms, k->n_harms);
    jstr("from", k->from);
    if (k->to[0]) {
        jstr("to", k->to);
    } else if (k->to_null) {
        jkey("to");
        jraw("null");
    }
    jids("sources", k->sources, k->n_sources);
    jobj_end();
}

static void json_action(const struct g_action *a)
{
    jobj_begin();
    jstr("id", a->id);
    jstr("case", a->case_id);
    jstr("kind", a->kind);
    jstr("date", a->date);
    if (a->approx) {
        jbool("approx", 1);
    }
    jids("targets", a->targets, a->n_targets);
    jlist("demands", a->demands, a->n_demands);
    if (a->outcome && !*a->outcome) {
        jkey("outcome");
        jraw("null");
    } else {
        jstr("outcome", a->outcome);
    }
    jobj_end();
}

static void json_list_begin(const char *name, int first)
{
    fprintf(jout, "%s\n  \"%s\": [", first ? "" : ",", name);
}

static void json_item_sep(unsigned long i)
{
    fputs(i ? ",\n    " : "\n    ", jout);
}

static int run_json(void)
{
    jout = stdout;
    static char obuf[1 << 20];
    setvbuf(jout, obuf, _IOFBF, sizeof obuf);
    fputs("{\n  \"format\": \"refuge-bundle/1\",", jout);

    json_list_begin("sources", 1);
    struct g_source s;
    for (unsigned long i = 0; i < L.n_sources; i++) {
        json_item_sep(i);
        gen_source(i, &s);
        json_source(&s);
    }
    fputs("\n  ]", jout);

    json_list_begin("persons", 0);
    struct g_person p;
    for (unsigned long i = 0; i < L.n_persons; i++) {
        json_item_sep(i);
        gen_person(i, &p);
        json_person(&p);
    }
    fputs("\n  ]", jout);

    json_list_begin("organizations", 0);
    struct g_org o;
    for (unsigned long i = 0; i < L.n_orgs; i++) {
        json_item_sep(i);
        gen_org(i, &o);
        json_org(&o);
    }
    fputs("\n  ]", jout);

    json_list_begin("cases", 0);
    struct g_case c;
    for (unsigned long i = 0; i < L.n_cases; i++) {
        json_item_sep(i);
        gen_case(i, &c);
        json_case(&c);
    }
    fputs("\n  ]", jout);

    json_list_begin("events", 0);
    struct g_event e;
    for (unsigned long i = 0; i < L.n_events; i++) {
        json_item_sep(i);
        gen_event(i, &e);
        json_event(&e);
    }
    fputs("\n  ]", jout);

    json_list_begin("risks", 0);
    struct g_risk k;
    for (unsigned long i = 0; i < L.n_risks; i++) {
        json_item_sep(i);
        gen_risk(i, &k);
        json_risk(&k);
    }
    fputs("\n  ]", jout);

    json_list_begin("actions", 0);
    struct g_action a;
    for (unsigned long i = 0; i < L.n_actions; i++) {
        json_item_sep(i);
        gen_action(i, &a);
        json_action(&a);
    }
    fputs("\n  ]\n}\n", jout);
    if (fflush(jout) != 0 || ferror(jout)) {
        fprintf(stderr, "synth: cannot write the bundle: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}

/* ------------------------------------------------------- floor (SQLite) */

static sqlite3 *db;
static unsigned long long rows;

static void die(const char *what)
{
    fprintf(stderr, "synth: %s: %s\n", what, db ? sqlite3_errmsg(db) : "?");
    exit(1);
}

static void exec_sql(const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "synth: %s\n", msg ? msg : "database error");
        exit(1);
    }
}

static sqlite3_stmt *prep(const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        die(sql);
    }
    return st;
}

static void b_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s) {
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    } else {
        sqlite3_bind_null(st, i);
    }
}

static void b_tri(sqlite3_stmt *st, int i, int v)
{
    if (v < 0) {
        sqlite3_bind_null(st, i);
    } else {
        sqlite3_bind_int(st, i, v);
    }
}

static void step(sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) {
        die("insert");
    }
    sqlite3_reset(st);
    rows++;
}

/* Any 16 bytes do for the content digest. */
static void b_digest(sqlite3_stmt *st, int i, enum kind k, unsigned long index)
{
    uint64_t d[2] = {mix64(((uint64_t)k << 56) ^ index), mix64(index ^ 0xd16e57ULL)};
    sqlite3_bind_blob(st, i, d, sizeof d, SQLITE_TRANSIENT);
}

/* A child list row: (owner, pos, value). */
static void child(sqlite3_stmt *st, const char *owner, int pos, const char *value)
{
    sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, pos);
    sqlite3_bind_text(st, 3, value, -1, SQLITE_STATIC);
    step(st);
}

static int sql_file_filter(const struct dirent *d)
{
    const char *n = d->d_name;
    size_t len = strlen(n);
    for (int i = 0; i < 4; i++) {
        if (n[i] < '0' || n[i] > '9') {
            return 0;
        }
    }
    return n[4] == '_' && len > 9 && strcmp(n + len - 4, ".sql") == 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "synth: cannot open %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "synth: out of memory\n");
        exit(1);
    }
    buf[len] = 0;
    return buf;
}

/* Applies every NNNN_*.sql in dir, in name order, each in a transaction. */
static void migrate(const char *dir)
{
    struct dirent **names = NULL;
    int n = scandir(dir, &names, sql_file_filter, alphasort);
    if (n < 0) {
        fprintf(stderr, "synth: cannot read %s: %s\n", dir, strerror(errno));
        exit(1);
    }
    if (n == 0) {
        fprintf(stderr, "synth: no NNNN_*.sql migrations in %s\n", dir);
        exit(1);
    }
    for (int i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
        char *sql = read_file(path);
        int version = atoi(names[i]->d_name);
        char stamp[96];
        snprintf(stamp, sizeof stamp, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
                 0x52464745, version);
        exec_sql("BEGIN IMMEDIATE");
        exec_sql(sql);
        exec_sql(stamp);
        exec_sql("COMMIT");
        free(sql);
        free(names[i]);
    }
    free(names);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run_floor(const char *path, const char *migrations)
{
    double t0 = now_s();
    if (remove(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "synth: cannot remove %s: %s\n", path, strerror(errno));
        return 1;
    }
    char side[4096];
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        die("cannot open the database");
    }
    /* The store's connection settings (src/store/db.c). */
    sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
    exec_sql(
        "PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=0; PRAGMA cache_size=-16384;");
    exec_sql("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    migrate(migrations);

    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);

    sqlite3_stmt *s_source = prep(
        "INSERT INTO source (id, title, publisher, date, approx, url, kind, reliability, credibility, has_file,"
        " file_name, file_sha256, file_media_type, digest, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13, ?14, ?15)");
    sqlite3_stmt *s_org =
        prep("INSERT INTO organization (id, name, country, kind, parent, digest, updated)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_stmt *s_person = prep(
        "INSERT INTO person (id, sex, birth_date, ethnicity, religion, has_origin, origin_country, origin_region,"
        " origin_name, sensitive, is_group, group_size, digest, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
        " ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    sqlite3_stmt *s_name = prep("INSERT INTO person_name (person, pos, full, script, lang, kind)"
                                " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_stmt *s_nat =
        prep("INSERT INTO person_nationality (person, pos, country) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_prof =
        prep("INSERT INTO person_profile (person, pos, tag) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_psrc =
        prep("INSERT INTO person_source (person, pos, source) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_pos =
        prep("INSERT INTO position (person, pos, organization, title, from_date, to_date)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    sqlite3_stmt *s_case =
        prep("INSERT INTO case_file (id, title, state, opened, status, summary, digest, updated)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt *s_subj =
        prep("INSERT INTO case_subject (case_id, pos, person) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_ctag = prep("INSERT INTO case_tag (case_id, pos, tag) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_event = prep(
        "INSERT INTO event (id, type, date, approx, end_date, has_place, place_country, place_region,"
        " place_name, by_org, official, description, from_country, to_country, by_country, state, irregular,"
        " presented, presented_on, outcome, final, appeal_until, kind, offence, law, sentence, entry_related,"
        " mode, provided, access_to, alleged, digest, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
        " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28,"
        " ?29, ?30, ?31, ?32, ?33)");
    sqlite3_stmt *s_evp = prep("INSERT INTO event_person (event, pos, person) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_evs = prep("INSERT INTO event_source (event, pos, source) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_risk =
        prep("INSERT INTO risk (id, country, region, from_date, to_date, digest, updated)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_stmt *s_rprof = prep("INSERT INTO risk_profile (risk, pos, tag) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_rharm = prep("INSERT INTO risk_harm (risk, pos, harm) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_rsrc = prep("INSERT INTO risk_source (risk, pos, source) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_action =
        prep("INSERT INTO action (id, case_id, kind, date, approx, outcome, digest, updated)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    sqlite3_stmt *s_atgt =
        prep("INSERT INTO action_target (action, pos, target) VALUES (?1, ?2, ?3)");
    sqlite3_stmt *s_adem =
        prep("INSERT INTO action_demand (action, pos, demand) VALUES (?1, ?2, ?3)");

    double t1 = now_s();
    exec_sql("BEGIN IMMEDIATE");

    struct g_source s;
    for (unsigned long i = 0; i < L.n_sources; i++) {
        gen_source(i, &s);
        b_text(s_source, 1, s.id);
        b_text(s_source, 2, s.title);
        b_text(s_source, 3, s.publisher);
        b_text(s_source, 4, s.date);
        sqlite3_bind_int(s_source, 5, s.approx);
        b_text(s_source, 6, s.url);
        b_text(s_source, 7, s.kind);
        b_text(s_source, 8, s.reliability);
        b_text(s_source, 9, s.credibility);
        sqlite3_bind_int(s_source, 10, s.has_file);
        b_text(s_source, 11, s.file_name);
        b_text(s_source, 12, s.file_sha256);
        b_text(s_source, 13, s.file_media_type);
        b_digest(s_source, 14, K_SOURCE, i);
        b_text(s_source, 15, now);
        step(s_source);
    }

    struct g_person p;
    for (unsigned long i = 0; i < L.n_persons; i++) {
        gen_person(i, &p);
        b_text(s_person, 1, p.id);
        b_text(s_person, 2, p.sex);
        b_text(s_person, 3, p.birth_date);
        b_text(s_person, 4, p.ethnicity);
        b_text(s_person, 5, p.religion);
        sqlite3_bind_int(s_person, 6, p.has_origin);
        b_text(s_person, 7, p.origin_country);
        b_text(s_person, 8, p.origin_region);
        b_text(s_person, 9, p.origin_name);
        b_tri(s_person, 10, p.sensitive);
        b_tri(s_person, 11, p.group);
        if (p.group_size) {
            sqlite3_bind_int64(s_person, 12, p.group_size);
        } else {
            sqlite3_bind_null(s_person, 12);
        }
        b_digest(s_person, 13, K_PERSON, i);
        b_text(s_person, 14, now);
        step(s_person);
        for (int k = 0; k < p.n_names; k++) {
            sqlite3_bind_text(s_name, 1, p.id, -1, SQLITE_STATIC);
            sqlite3_bind_int(s_name, 2, k);
            b_text(s_name, 3, p.names[k].full);
            b_text(s_name, 4, p.names[k].script);
            b_text(s_name, 5, p.names[k].lang);
            b_text(s_name, 6, p.names[k].kind);
            step(s_name);
        }
        for (int k = 0; k < p.n_nationality; k++) {
            child(s_nat, p.id, k, p.nationality[k]);
        }
        for (int k = 0; k < p.n_profiles; k++) {
            child(s_prof, p.id, k, p.profiles[k]);
        }
        for (int k = 0; k < p.n_sources; k++) {
            child(s_psrc, p.id, k, p.sources[k]);
        }
        for (int k = 0; k < p.n_positions; k++) {
            sqlite3_bind_text(s_pos, 1, p.id, -1, SQLITE_STATIC);
            sqlite3_bind_int(s_pos, 2, k);
            b_text(s_pos, 3, p.positions[k].organization);
            b_text(s_pos, 4, p.positions[k].title);
            b_text(s_pos, 5, p.positions[k].from);
            b_text(s_pos, 6, p.positions[k].to);
            step(s_pos);
        }
    }

    struct g_org o;
    for (unsigned long i = 0; i < L.n_orgs; i++) {
        gen_org(i, &o);
        b_text(s_org, 1, o.id);
        b_text(s_org, 2, o.name);
        b_text(s_org, 3, o.country);
        b_text(s_org, 4, o.kind);
        b_text(s_org, 5, o.parent);
        b_digest(s_org, 6, K_ORG, i);
        b_text(s_org, 7, now);
        step(s_org);
    }

    struct g_case c;
    for (unsigned long i = 0; i < L.n_cases; i++) {
        gen_case(i, &c);
        b_text(s_case, 1, c.id);
        b_text(s_case, 2, c.title);
        b_text(s_case, 3, c.state);
        b_text(s_case, 4, c.opened);
        b_text(s_case, 5, c.status);
        b_text(s_case, 6, c.summary);
        b_digest(s_case, 7, K_CASE, i);
        b_text(s_case, 8, now);
        step(s_case);
        for (int k = 0; k < 3; k++) {
            child(s_subj, c.id, k, c.subjects[k]);
        }
        for (int k = 0; k < c.n_tags; k++) {
            child(s_ctag, c.id, k, c.tags[k]);
        }
    }

    struct g_event e;
    for (unsigned long i = 0; i < L.n_events; i++) {
        gen_event(i, &e);
        sqlite3_stmt *st = s_event;
        b_text(st, 1, e.id);
        b_text(st, 2, evtype_names[e.type]);
        b_text(st, 3, e.date);
        sqlite3_bind_int(st, 4, e.approx);
        b_text(st, 5, e.end_date);
        sqlite3_bind_int(st, 6, e.has_place);
        b_text(st, 7, e.place_country);
        b_text(st, 8, e.place_region);
        b_text(st, 9, e.place_name);
        b_text(st, 10, e.by);
        b_text(st, 11, e.official);
        b_text(st, 12, e.description);
        b_text(st, 13, e.from_country);
        b_text(st, 14, e.to_country);
        b_text(st, 15, e.by_country);
        b_text(st, 16, e.state);
        b_tri(st, 17, e.irregular);
        b_tri(st, 18, e.presented);
        b_text(st, 19, e.presented_on);
        b_text(st, 20, e.outcome);
        b_tri(st, 21, e.final);
        b_text(st, 22, e.appeal_until);
        b_text(st, 23, e.kind);
        b_text(st, 24, e.offence);
        b_text(st, 25, e.law);
        b_text(st, 26, e.sentence);
        b_tri(st, 27, e.entry_related);
        b_text(st, 28, e.mode);
        b_tri(st, 29, e.provided);
        b_text(st, 30, e.to);
        b_tri(st, 31, e.alleged);
        b_digest(st, 32, K_EVENT, i);
        b_text(st, 33, now);
        step(st);
        for (int k = 0; k < e.n_persons; k++) {
            child(s_evp, e.id, k, e.persons[k]);
        }
        for (int k = 0; k < e.n_sources; k++) {
            child(s_evs, e.id, k, e.sources[k]);
        }
    }

    struct g_risk k;
    for (unsigned long i = 0; i < L.n_risks; i++) {
        gen_risk(i, &k);
        b_text(s_risk, 1, k.id);
        b_text(s_risk, 2, k.country);
        b_text(s_risk, 3, k.region);
        b_text(s_risk, 4, k.from);
        b_text(s_risk, 5, k.to);
        b_digest(s_risk, 6, K_RISK, i);
        b_text(s_risk, 7, now);
        step(s_risk);
        for (int j = 0; j < k.n_profiles; j++) {
            child(s_rprof, k.id, j, k.profiles[j]);
        }
        for (int j = 0; j < k.n_harms; j++) {
            child(s_rharm, k.id, j, k.harms[j]);
        }
        for (int j = 0; j < k.n_sources; j++) {
            child(s_rsrc, k.id, j, k.sources[j]);
        }
    }

    struct g_action a;
    for (unsigned long i = 0; i < L.n_actions; i++) {
        gen_action(i, &a);
        b_text(s_action, 1, a.id);
        b_text(s_action, 2, a.case_id);
        b_text(s_action, 3, a.kind);
        b_text(s_action, 4, a.date);
        sqlite3_bind_int(s_action, 5, a.approx);
        b_text(s_action, 6, a.outcome);
        b_digest(s_action, 7, K_ACTION, i);
        b_text(s_action, 8, now);
        step(s_action);
        for (int j = 0; j < a.n_targets; j++) {
            child(s_atgt, a.id, j, a.targets[j]);
        }
        for (int j = 0; j < a.n_demands; j++) {
            child(s_adem, a.id, j, a.demands[j]);
        }
    }

    exec_sql("COMMIT");
    double t2 = now_s();
    sqlite3_stmt *all[] = {s_source, s_org,   s_person, s_name, s_nat,    s_prof, s_psrc,
                           s_pos,    s_case,  s_subj,   s_ctag, s_event,  s_evp,  s_evs,
                           s_risk,   s_rprof, s_rharm,  s_rsrc, s_action, s_atgt, s_adem};
    for (size_t i = 0; i < LEN(all); i++) {
        sqlite3_finalize(all[i]);
    }
    if (sqlite3_close(db) != SQLITE_OK) {
        die("cannot close the database");
    }
    db = NULL;
    double t3 = now_s();
    printf("rows %llu\n", rows);
    printf("insert_seconds %.3f\n", t2 - t1);
    printf("insert_rows_per_second %.0f\n", (double)rows / (t2 - t1));
    printf("total_seconds %.3f\n", t3 - t0);
    printf("rows_per_second %.0f\n", (double)rows / (t3 - t0));
    return 0;
}

/* ------------------------------------------------------------------ main */

static int usage(void)
{
    fprintf(stderr, "usage: synth json N [--seed S] > bundle.json\n"
                    "       synth floor N DB [--seed S] [--migrations DIR]\n");
    return 2;
}

static int parse_count(const char *s, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno || end == s || *end || v == 0 || v > 50000000UL) {
        return 0;
    }
    *out = v;
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        return usage();
    }
    const char *mode = argv[1];
    unsigned long n;
    if (!parse_count(argv[2], &n)) {
        fprintf(stderr, "synth: N must be a whole number from 1 to 50000000\n");
        return 2;
    }
    const char *dbpath = NULL;
    const char *migrations = "src/store/sql/migrations";
    int i = 3;
    if (strcmp(mode, "floor") == 0) {
        if (argc < 4) {
            return usage();
        }
        dbpath = argv[3];
        i = 4;
    } else if (strcmp(mode, "json") != 0) {
        return usage();
    }
    for (; i < argc; i++) {
        if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            g_seed = strtoull(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--migrations") == 0 && i + 1 < argc && dbpath) {
            migrations = argv[++i];
        } else {
            return usage();
        }
    }
    layout_init(n);
    return dbpath ? run_floor(dbpath, migrations) : run_json();
}
