# Writes the labeled extraction set: pages + NAME.article (the article lines, as
# extraction should print them). Run once; the outputs are committed.
import os, html as H
import os.path
D=os.path.dirname(os.path.abspath(__file__))
A={
'bridge':("Harbour bridge reopens after two years of repairs",[
 "The old harbour bridge opened to traffic again on Monday morning, two years after engineers closed it when cracks were found in two of its steel supports.",
 "About four hundred cars crossed in the first hour, and the ferry that had carried commuters across the water in the meantime will stop running at the end of the month.",
 "Repairs cost more than twice the first estimate, which the county blamed on the price of steel and on a wet winter that kept workers off the deck for weeks.",
 "What changes for drivers",
 "The speed limit on the bridge is now thirty miles an hour, and lorries heavier than twenty tonnes must still use the ring road until a final inspection in the spring.",
 "\"It feels like the town has been stitched back together,\" said a shopkeeper whose takings fell by a third while the bridge was shut."]),
'library':("Library keeps its doors open until nine",[
 "From next week the central library will stay open until nine o'clock on weekday evenings, after a survey found that most visitors could only come after work.",
 "The longer hours are paid for by closing the small reading room at the station, which was used by fewer than ten people a day last year.",
 "Staff said the evening sessions would also host a homework club for pupils whose families have no quiet place to study at home.",
 "The change is a trial for six months."]),
'bakery':("Corner bakery wins the regional bread prize",[
 "A family bakery on Mill Street has won the regional prize for the best country loaf, beating more than sixty entries from across the valley.",
 "The baker, who took over the shop from her father eight years ago, said the secret was a slow overnight rise and flour from a farm a few miles away.",
 "Judges praised the crust and said the loaf was still fresh on the third day, which they called the real test of good bread.",
 "The shop plans to bake twice as many loaves on Saturdays to cope with the queue that formed outside its door the morning after the award."]),
'rail':("Rail strike leaves commuters stranded",[
 "Thousands of commuters were left waiting on platforms on Thursday as train drivers walked out in a dispute over pay and working hours.",
 "Only one train in five ran on the main line into the city, and the operator advised passengers to travel only if their journey was essential.",
 "The drivers' union said its members had not had a pay rise that kept up with prices for three years, and that further strikes were planned for next month.",
 "A spokesman for the operator said the company had made a fair offer and urged the union to return to talks.",
 "Bus companies added extra services, but many of them were full before they reached the edge of town."]),
'cycle':("New cycle lanes split opinion on the high street",[
 "Painted cycle lanes that appeared on the high street last month have divided residents, with cyclists welcoming them and some shop owners saying they have lost customers.",
 "The lanes replaced twenty parking spaces, and the council says a count in the first fortnight found the number of bicycles on the street had doubled.",
 "Shop owners have collected more than a thousand signatures asking for the parking to be restored, at least on market days.",
 "The council will review the scheme in the autumn."]),
'eels':("Scientists follow eels on their long journey to the sea",[
 "Researchers at the university have fitted tiny tags to forty eels in the river to learn more about the route they take on their way to the ocean to breed.",
 "The fish leave on dark, rainy nights in autumn, and until now little was known about where they pause or how many are killed by pumps and weirs on the way.",
 "Early results suggest that most of the tagged eels waited for several days below the old mill before they found a way past it.",
 "The team hopes the data will help engineers design passages that let the fish move downstream safely."]),
'budget':("Council agrees a budget with few surprises",[
 "The council agreed its budget for the coming year on Wednesday evening after a debate that lasted less than two hours.",
 "Council tax will rise by just under three percent, less than the maximum allowed, and spending on road repairs will grow by a tenth.",
 "Opposition members said the plan did too little for housing, and proposed an amendment to borrow money for new homes, which was defeated.",
 "The leader of the council said the budget was careful rather than exciting, and that careful was what the town needed after two difficult years."]),
'stadtwerke':("Stadtwerke erhöhen die Preise für Strom und Gas",[
 "Die Stadtwerke haben angekündigt, dass die Preise für Strom und Gas zum ersten April um etwa acht Prozent steigen werden.",
 "Als Grund nennt das Unternehmen die gestiegenen Kosten für den Einkauf von Energie und für den Ausbau der Netze in den neuen Wohngebieten.",
 "Kunden, die mit der Erhöhung nicht einverstanden sind, können ihren Vertrag bis zum Ende des Monats kündigen.",
 "Die Verbraucherzentrale rät dazu, die Angebote anderer Anbieter zu vergleichen, bevor man sich entscheidet."]),
'river':("Volunteers pull a ton of rubbish from the river banks",[
 "More than a hundred volunteers spent Sunday morning clearing rubbish from the banks of the river, and by lunchtime they had filled two skips.",
 "Among the finds were three shopping trolleys, a bicycle, a garden bench and hundreds of plastic bottles caught in the reeds.",
 "The clean-up was organised by a group of neighbours who started meeting a year ago after a walk along the river left them shocked by the litter.",
 "They plan to hold another one in September and have asked the council for more bins along the footpath."]),
'robots':("School robotics team heads to the national final",[
 "A team of six pupils from the secondary school has qualified for the national robotics final after their machine won the regional round on Saturday.",
 "The robot, built over five months in lunch breaks and after school, had to sort coloured blocks and stack them faster than its rivals.",
 "The pupils said the hardest part was a sensor that kept confusing blue with green under the bright lights of the competition hall.",
 "Local firms have offered to pay for the trip to the final, which takes place in June."]),
'radio':("How I brought my grandfather's radio back to life",[
 "My grandfather's valve radio sat in the attic for thirty years before I carried it down and decided to find out whether it could still play.",
 "The first thing I learned is that you should never simply plug in an old set, because the capacitors dry out and can fail with a bang.",
 "I replaced every paper capacitor, cleaned the tuning dial and rewired the mains lead, which took most of three weekends.",
 "When I finally switched it on, the valves glowed orange for a minute before a faint voice came through the hiss.",
 "It now sits in the kitchen and plays the morning news every day, just as it did when my father was a boy."]),
'storm':("Storm leaves thousands without power",[
 "High winds brought down trees and power lines across the county overnight, leaving about twelve thousand homes without electricity on Tuesday morning.",
 "Engineers restored power to most homes by the evening, but the network operator warned that some villages in the hills might wait until the weekend.",
 "Several roads were closed by fallen trees, and the coastal path was shut after part of the cliff gave way near the lighthouse.",
 "No one was seriously hurt, the fire service said."]),
}
MENU=["Home | News | Sport | Business | Culture | Weather","Home › Local › Transport"]
CHROME_TOP=[["Sign in","Subscribe for unlimited access"],["Skip to content","Menu"],["Advertisement"],["Breaking: follow our live coverage"]]
RELATED=["Related stories","Parking charges to rise in the new year","Market square to get new benches","More from the newsroom"]
TEASERS=[("Popular now",[("Why the price of butter keeps climbing","Shoppers have noticed that a pack of butter costs far more than it did a year ago, and experts say..."),("Ten walks to try before summer ends","From the coastal path to the woods above the town, these routes are all under two hours..."),("The night the lights went out at the stadium","Fans still talk about the match that ended in darkness, and now the club has revealed...")])]
FOOT=["Share this article","Share on Facebook | Share on X | Email","Leave a comment","Your email address will not be published. Required fields are marked *","Copyright 2024 The Valley Gazette. All rights reserved.","We use cookies to give you the best experience. Accept cookies","Sign up for our newsletter"]

def wtxt(name, lines, gold):
    open(f'{D}/{name}','w').write('\n'.join(lines)+'\n')
    open(f'{D}/{name.rsplit(".",1)[0]}.article','w').write('\n'.join(gold)+'\n')

def text_page(key, n, style):
    t,ps=A[key]; L=[]; G=[]
    if style in (0,2): L+= [MENU[n%2],""]
    L+= CHROME_TOP[n%4]+[""]
    L+=[t,""]; G.append(t)
    L+=["By Staff Reporter | 12 March 2024",""]
    for i,p in enumerate(ps):
        L+=[p,""]; G.append(p)
        if style==1 and i==1:
            L+=RELATED+[""]
        if style==2 and i==0:
            L+=["- Advertisement -",""]
    if style in (0,2):
        tt,items=TEASERS[0]; L+=[tt,""]
        for a,b in items: L+=[a,"",b,""]
    L+=FOOT[n%3:n%3+3]
    return L,G

def md_page(key, n):
    t,ps=A[key]; L=["---",f"title: \"{t}\"","date: 2024-03-1%d"%(n%10),"tags:","  - local","  - news","---",""]
    G=[]
    L+=["[Home](/) | [Blog](/blog) | [About](/about)",""]
    for i,p in enumerate(ps):
        if len(p)<60 and not p.endswith('.'):
            L+=["## "+p,""]; G.append(p); continue
        w=p.split(' ')
        if i==1 and len(w)>8:
            md=' '.join(w[:3])+' ['+' '.join(w[3:5])+'](https://example.org/'+key+') '+' '.join(w[5:])
            md=md.replace(' '+w[6]+' ', ' *'+w[6]+'* ',1) if len(w)>7 else md
        else: md=p
        L+=[md,""]; G.append(p)
    L+=["![photo of the scene](/img/"+key+".jpg)",""]
    L+=["**Share:** [Twitter](https://x.com/share) · [Facebook](https://facebook.com/share)","","[Subscribe to the newsletter](/subscribe)"]
    return L,G

def wrap(p, w=68):
    out=[];cur=''
    for word in p.split():
        if len(cur)+len(word)+1>w: out.append(cur); cur=word
        else: cur=(cur+' '+word).strip()
    out.append(cur); return out

def wrapped_page(key):
    t,ps=A[key]; L=["Menu: Home / Blog / Contact",""]; G=[]
    for p in ps:
        ls=wrap(p); L+=ls+[""]; G+=ls
    L+=["Posted in Stories | 3 comments","","Leave a reply"]
    return L,G

def html_page(key, n):
    t,ps=A[key]; G=[]
    e=H.escape
    h=[f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(t)} | Valley Gazette</title>",
       f"<meta property=\"og:title\" content=\"{e(t)}\">","<script>window.dataLayer=[];function track(){}</script>","<style>body{font-family:serif}</style></head><body>",
       "<header><div class=\"logo\">Valley Gazette</div><nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/news\">News</a></li><li><a href=\"/sport\">Sport</a></li></ul></nav></header>",
       "<div class=\"cookie-banner\">We use cookies. <button>Accept</button></div>",
       "<main><article>",f"<h1>{e(t)}</h1>","<p class=\"byline\">By <a href=\"/staff/jo\">Jo Marsh</a></p>"]
    G.append(t)
    for i,p in enumerate(ps):
        if len(p)<60 and not p.endswith('.'):
            h.append(f"<h2>{e(p)}</h2>"); G.append(p); continue
        h.append(f"<p>{e(p)}</p>"); G.append(p)
        if i==0 and n%2==0:
            h.append("<figure><img src=\"/a.jpg\" alt=\"\"><figcaption>Photo: Valley Gazette</figcaption></figure>")
        if i==1 and n%3==0:
            h.append("<div class=\"related\"><h3>Read more</h3><ul><li><a href=\"/a\">Parking charges to rise</a></li><li><a href=\"/b\">New benches for the square</a></li></ul></div>")
        if i==1 and n%3==1:
            h.append("<div class=\"inline-promo\"><p><a href=\"/subscribe\">Subscribe now for just one pound a week</a></p></div>")
    h+=["<div class=\"share\"><a href=\"#\">Facebook</a> <a href=\"#\">X</a> <a href=\"#\">Email</a></div>",
        "</article></main>",
        "<aside><h3>Most read</h3><ol><li><a href=\"/c\">Why butter costs more</a></li><li><a href=\"/d\">Ten walks to try</a></li></ol></aside>",
        "<section class=\"comments\"><h3>3 comments</h3><p>Great news, about time!</p><form><textarea></textarea><button>Post</button></form></section>",
        "<footer><p>Copyright 2024 Valley Gazette</p><p><a href=\"/privacy\">Privacy policy</a> | <a href=\"/terms\">Terms of use</a></p></footer>",
        "</body></html>"]
    open(f'{D}/{key}-web.html','w').write('\n'.join(h)+'\n')
    open(f'{D}/{key}-web.article','w').write('\n'.join(G)+'\n')

keys=list(A)
# text pages with chrome
for n,k in enumerate(['bridge','rail','cycle','storm','budget','stadtwerke']):
    L,G=text_page(k,n,n%3); wtxt(f'{k}.txt',L,G)
for n,k in enumerate(['library','bakery','radio','river']):
    L,G=md_page(k,n); wtxt(f'{k}.md',L,G)
for k in ['eels']:
    L,G=wrapped_page(k); wtxt(f'{k}.txt',L,G)

for n,k in enumerate(['bridge','library','bakery','rail','cycle','eels','budget','river','robots','storm']):
    html_page(k,n)
