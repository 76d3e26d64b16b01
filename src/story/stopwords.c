/*
 * stopwords.c — function words per language, written for doppel.
 *
 * These words carry no event: dropping them keeps them out of the top-weighted
 * terms and out of the inverted index, where they would make every posting list
 * hit its cap. The lists are short on purpose: IDF silences what they miss, and
 * a word that is rare enough to matter (a name that happens to be "Will") must
 * not be lost. Words are lower case, as the tokenizer folds them, and include
 * contraction stems that survive apostrophe handling ("don't" -> "dont").
 */
#include "story/stopwords.h"

#include <string.h>

static const char *const english[] = {
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and",
    "any", "are", "arent", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "cannot", "cant", "could", "couldnt", "did",
    "didnt", "do", "does", "doesnt", "doing", "dont", "down", "during", "each", "even",
    "ever", "few", "for", "from", "further", "had", "hadnt", "has", "hasnt", "have",
    "havent", "having", "he", "hed", "hell", "her", "here", "heres", "hers", "herself",
    "hes", "him", "himself", "his", "how", "hows", "however", "i", "id", "if", "ill", "im",
    "in", "into", "is", "isnt", "it", "its", "itself", "ive", "just", "least", "less",
    "let", "lets", "like", "may", "me", "might", "more", "most", "much", "must", "mustnt",
    "my", "myself", "no", "nor", "not", "now", "of", "off", "on", "once", "one", "only",
    "or", "other", "others", "ought", "our", "ours", "ourselves", "out", "over", "own",
    "per", "quite", "rather", "said", "same", "say", "says", "shall", "shant", "she",
    "shed", "shell", "shes", "should", "shouldnt", "since", "so", "some", "still", "such",
    "than", "that", "thats", "the", "their", "theirs", "them", "themselves", "then",
    "there", "theres", "these", "they", "theyd", "theyll", "theyre", "theyve", "this",
    "those", "though", "through", "thus", "to", "too", "under", "until", "up", "upon",
    "us", "very", "via", "was", "wasnt", "we", "wed", "well", "were", "werent", "weve",
    "what", "whats", "when", "whens", "where", "wheres", "whether", "which", "while",
    "who", "whom", "whos", "whose", "why", "whys", "will", "with", "within", "without",
    "wont", "would", "wouldnt", "yet", "you", "youd", "youll", "your", "youre", "yours",
    "yourself", "yourselves", "youve",
};

static const char *const german[] = {
    "aber", "alle", "als", "also", "am", "an", "auch", "auf", "aus", "bei", "bin", "bis",
    "bist", "da", "damit", "dann", "das", "dass", "dem", "den", "denn", "der", "des",
    "die", "dies", "diese", "dieser", "doch", "dort", "du", "durch", "ein", "eine",
    "einem", "einen", "einer", "eines", "er", "es", "für", "gegen", "hat", "hatte",
    "hier", "ich", "ihr", "ihre", "im", "in", "ist", "ja", "jetzt", "kann", "kein",
    "mit", "nach", "nicht", "noch", "nur", "ob", "oder", "sein", "sich", "sie", "sind",
    "so", "über", "um", "und", "uns", "unter", "vom", "von", "vor", "war", "waren",
    "was", "wenn", "werden", "wie", "wir", "wird", "wurde", "zu", "zum", "zur",
};

static const char *const french[] = {
    "a", "à", "au", "aux", "avec", "ce", "ces", "cette", "dans", "de", "des", "du",
    "elle", "en", "est", "et", "été", "il", "ils", "je", "la", "le", "les", "leur",
    "lui", "mais", "me", "même", "nous", "on", "ont", "ou", "où", "par", "pas", "plus",
    "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sont", "sur", "ta", "te",
    "tes", "ton", "tu", "un", "une", "vous", "y",
};

static const char *const spanish[] = {
    "a", "al", "como", "con", "de", "del", "el", "ella", "en", "es", "esta", "este",
    "fue", "ha", "han", "la", "las", "le", "les", "lo", "los", "más", "me", "mi", "no",
    "nos", "o", "para", "pero", "por", "que", "se", "sin", "su", "sus", "también", "te",
    "un", "una", "uno", "y", "ya",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *const *dp_stopwords(const char *language, size_t *count) {
    if (language && strcmp(language, "english") == 0) {
        *count = COUNT(english);
        return english;
    }
    if (language && strcmp(language, "german") == 0) {
        *count = COUNT(german);
        return german;
    }
    if (language && strcmp(language, "french") == 0) {
        *count = COUNT(french);
        return french;
    }
    if (language && strcmp(language, "spanish") == 0) {
        *count = COUNT(spanish);
        return spanish;
    }
    *count = 0;
    return NULL;
}
