/*
 * namekey_speed.c: micro-benchmark of name key building and scoring.
 *
 * Builds keys for generated full names in Latin, Kazakh and Russian
 * Cyrillic, Uyghur Arabic script, Arabic and Han (every name distinct: given
 * names x surnames), in one thread and in several, then scores a query
 * against every key. Prints names per second. See bench/NAMEKEYS.md.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/uclean.h>

#include "text/namekey.h"

struct family {
    const char *label;
    const char *const *given;
    size_t n_given;
    const char *const *surname;
    size_t n_surname;
    const char *sep;
};

static const char *const latn_given[] = {"Yermek", "Gulnar", "Timur",  "Aigul",  "Ablimit",
                                         "Memet",  "Dinara", "Nurlan", "Serik",  "Madina",
                                         "Rustam", "Aliya",  "Bakhyt", "Zhanna", "Askar",
                                         "Saule",  "Olzhas", "Kairat", "Leyla",  "Farida"};
static const char *const latn_surname[] = {
    "Nurlanuly",  "Zhumabekova", "Akhmedov",    "Serikkyzy", "Tursun",      "Imin",
    "Abdullayev", "Karimova",    "Sadykov",     "Omarova",   "Bekmukhanov", "Ismailova",
    "Tokayev",    "Zhaksylykov", "Kenzhebayev", "Mukanova",  "Yessimov",    "Baimukhamedova"};
static const char *const cyrl_given[] = {
    "Ермек", "Гүлнар", "Тимур", "Айгүл", "Дінара", "Нұрлан", "Серік", "Мадина", "Рустам",  "Әлия",
    "Бақыт", "Жанна",  "Асқар", "Сәуле", "Олжас",  "Қайрат", "Лейла", "Фарида", "Аблимит", "Мемет"};
static const char *const cyrl_surname[] = {
    "Нұрланұлы", "Жұмабекова", "Ахмедов",   "Серікқызы", "Турсун",     "Имин",
    "Абдуллаев", "Каримова",   "Садыков",   "Омарова",   "Бекмұханов", "Исмаилова",
    "Тоқаев",    "Жақсылықов", "Кенжебаев", "Мұқанова",  "Есімов",     "Баймұхамедова"};
static const char *const ru_given[] = {"Сергей", "Ольга",   "Иван",  "Мария", "Алексей",
                                       "Елена",  "Дмитрий", "Анна",  "Павел", "Наталья",
                                       "Андрей", "Татьяна", "Игорь", "Ирина", "Николай"};
static const char *const ru_surname[] = {
    "Иванович Петров",    "Николаевна Смирнова", "Петрович Иванов",  "Сергеевна Кузнецова",
    "Андреевич Попов",    "Павловна Соколова",   "Игоревич Лебедев", "Алексеевна Козлова",
    "Дмитриевич Новиков", "Ивановна Морозова"};
static const char *const ug_given[] = {"ئابلىمىت", "مەمەت",  "ئابدۇرېھىم", "ئىلھام",  "گۈلشەن",
                                       "راھىلە",   "تۇرسۇن", "ئەخمەت",     "پاتىگۈل", "ئايگۈل"};
static const char *const ug_surname[] = {"تۇرسۇن", "ئىمىن", "ھېيت",  "توختى", "ئابباس",
                                         "داۋۇت",  "قادىر", "ياسىن", "نىياز", "ھەسەن"};
static const char *const ar_given[] = {"محمد", "أحمد", "خالد",  "يوسف", "علي",
                                       "حسن",  "عمر",  "فاطمة", "مريم", "سارة"};
static const char *const ar_surname[] = {"عبد الرحمن", "الحسن", "المصري", "حسين",    "العلي",
                                         "عبد الله",   "سعيد",  "داود",   "إبراهيم", "منصور"};
static const char *const han_given[] = {"伟", "小明", "晓东", "明", "丽", "军", "静",
                                        "磊", "秀英", "敏",   "强", "洋", "艳", "勇"};
static const char *const han_surname[] = {"张", "王", "李", "刘", "陈", "杨", "黄", "赵",
                                          "吴", "周", "徐", "孙", "马", "朱", "胡", "郭"};
static const char *const hanug_given[] = {"阿布力米提", "买买提", "阿不都热依木", "伊力哈木",
                                          "古丽仙",     "热依拉", "艾合买提",     "帕提古丽"};
static const char *const hanug_surname[] = {"吐尔逊", "依明",   "海依提", "土赫提",
                                            "阿巴斯", "达吾提", "卡德尔", "亚森"};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static const struct family families[] = {
    {"Latin", latn_given, N_OF(latn_given), latn_surname, N_OF(latn_surname), " "},
    {"Kazakh Cyrillic", cyrl_given, N_OF(cyrl_given), cyrl_surname, N_OF(cyrl_surname), " "},
    {"Russian Cyrillic", ru_given, N_OF(ru_given), ru_surname, N_OF(ru_surname), " "},
    {"Uyghur Arabic", ug_given, N_OF(ug_given), ug_surname, N_OF(ug_surname), " "},
    {"Arabic", ar_given, N_OF(ar_given), ar_surname, N_OF(ar_surname), " "},
    {"Chinese Han", han_surname, N_OF(han_surname), han_given, N_OF(han_given), ""},
    {"Uyghur in Han", hanug_given, N_OF(hanug_given), hanug_surname, N_OF(hanug_surname), "·"},
};

struct name_list {
    size_t n;
    char (*names)[128];
};

static void make_names(const struct family *f, struct name_list *out)
{
    out->n = f->n_given * f->n_surname;
    out->names = calloc(out->n, sizeof *out->names);
    if (out->names == NULL) {
        exit(1);
    }
    size_t k = 0;
    for (size_t g = 0; g < f->n_given; g++) {
        for (size_t s = 0; s < f->n_surname; s++) {
            snprintf(out->names[k++], sizeof out->names[0], "%s%s%s", f->given[g], f->sep,
                     f->surname[s]);
        }
    }
}

/* Names whose every word is new: random Cyrillic syllables, so the per-thread
 * word cache never hits (the cost of a cold transliteration). */
static void make_random_cyrillic(size_t n, struct name_list *out)
{
    static const char *const syl[] = {"ка", "ба", "ну", "рл",  "ан", "ер", "мек", "са",
                                      "ты", "жа", "құ", "ғы",  "ің", "ол", "тар", "бек",
                                      "гү", "ли", "са", "ұлы", "ов", "ев", "на",  "ма"};
    unsigned long x = 12345;
    out->n = n;
    out->names = calloc(n, sizeof *out->names);
    if (out->names == NULL) {
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = 0;
        for (int w = 0; w < 2; w++) {
            if (w > 0) {
                out->names[i][len++] = ' ';
            }
            for (int k = 0; k < 4; k++) {
                x = x * 6364136223846793005UL + 1442695040888963407UL;
                const char *s = syl[(x >> 33) % (sizeof syl / sizeof syl[0])];
                size_t sl = strlen(s);
                memcpy(out->names[i] + len, s, sl);
                len += sl;
            }
        }
        out->names[i][len] = '\0';
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Builds keys for every name of list, rounds times; returns names per second. */
static double time_build(const struct name_list *list, int rounds)
{
    struct namekey k;
    size_t built = 0;
    double t0 = now();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < list->n; i++) {
            built += namekey_build(list->names[i], NULL, NULL, &k);
        }
    }
    double dt = now() - t0;
    return (double)((size_t)rounds * list->n) / dt + 0.0 * (double)built;
}

struct thread_job {
    const struct name_list *lists;
    size_t n_lists;
    int rounds;
    size_t done;
};

static void *thread_main(void *arg)
{
    struct thread_job *job = arg;
    struct namekey k;
    for (int r = 0; r < job->rounds; r++) {
        for (size_t l = 0; l < job->n_lists; l++) {
            for (size_t i = 0; i < job->lists[l].n; i++) {
                namekey_build(job->lists[l].names[i], NULL, NULL, &k);
                job->done++;
            }
        }
    }
    namekey_thread_release();
    return NULL;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 20;
    if (rounds < 1) {
        rounds = 1;
    }
    size_t n_fam = N_OF(families);
    struct name_list lists[N_OF(families)];
    size_t total_names = 0;
    for (size_t f = 0; f < n_fam; f++) {
        make_names(&families[f], &lists[f]);
        total_names += lists[f].n;
    }
    /* Cold start: the first name of each family opens its transliterators. */
    double t0 = now();
    struct namekey warm;
    for (size_t f = 0; f < n_fam; f++) {
        namekey_build(lists[f].names[0], NULL, NULL, &warm);
    }
    printf("first use (opening transliterators): %.1f ms\n", (now() - t0) * 1e3);

    printf("%-18s %8s %14s\n", "names", "distinct", "names/second");
    double all_time = 0.0;
    size_t all_names = 0;
    for (size_t f = 0; f < n_fam; f++) {
        double rate = time_build(&lists[f], rounds);
        printf("%-18s %8zu %14.0f\n", families[f].label, lists[f].n, rate);
        all_time += (double)((size_t)rounds * lists[f].n) / rate;
        all_names += (size_t)rounds * lists[f].n;
    }
    printf("%-18s %8zu %14.0f\n", "all (mixed)", total_names, (double)all_names / all_time);

    struct name_list cold;
    make_random_cyrillic(20000, &cold);
    printf("%-18s %8zu %14.0f   (every word new: uncached transliteration)\n", "random Cyrillic",
           cold.n, time_build(&cold, 1));
    free(cold.names);

    enum { THREADS = 2 };

    pthread_t th[THREADS];
    struct thread_job jobs[THREADS];
    t0 = now();
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (struct thread_job){lists, n_fam, rounds, 0};
        pthread_create(&th[i], NULL, thread_main, &jobs[i]);
    }
    size_t done = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        done += jobs[i].done;
    }
    printf("%d threads, mixed: %.0f names/second\n", THREADS, (double)done / (now() - t0));

    /* Scoring: one query against every key of every family. */
    size_t n_keys = total_names;
    struct namekey *keys = calloc(n_keys, sizeof *keys);
    if (keys == NULL) {
        return 1;
    }
    size_t k = 0;
    for (size_t f = 0; f < n_fam; f++) {
        for (size_t i = 0; i < lists[f].n; i++) {
            namekey_build(lists[f].names[i], NULL, NULL, &keys[k++]);
        }
    }
    struct namekey q;
    namekey_build("Yermek Nurlanuly", NULL, NULL, &q);
    double best = 0.0;
    t0 = now();
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < n_keys; i++) {
            double s = namekey_score(&q, &keys[i], NULL, NULL, 0);
            if (s > best) {
                best = s;
            }
        }
    }
    printf("scoring: %.0f candidate pairs/second (best %.2f)\n",
           (double)((size_t)rounds * n_keys) / (now() - t0), best);

    free(keys);
    for (size_t f = 0; f < n_fam; f++) {
        free(lists[f].names);
    }
    namekey_thread_release();
    u_cleanup();
    return 0;
}
