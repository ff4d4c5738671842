package io.stratus.agent.frontdoor;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Message boundaries of a server's stream, however the bytes arrive cut. */
class MessageFramerTests {

    /** DataRow-like 'D' (10 bytes), CommandComplete 'C' "SELECT 1", ReadyForQuery 'Z' 'I'. */
    private static byte[] stream() {
        ByteBuf b = Unpooled.buffer();
        b.writeByte('D').writeInt(9).writeBytes(new byte[] {0, 1, 0, 0, 0});
        b.writeByte('C').writeInt(4 + 9).writeCharSequence("SELECT 1", StandardCharsets.US_ASCII);
        b.writeByte(0);
        b.writeByte('Z').writeInt(5).writeByte('I');
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    @Test
    void isBetweenMessagesOnlyAtTheirEndsWhereverTheStreamIsCut() {
        byte[] all = stream();
        int[] ends = {10, 24, 30};
        for (int cut = 1; cut < all.length; cut++) {
            MessageFramer framer = new MessageFramer();
            framer.advance(Unpooled.wrappedBuffer(all, 0, cut));
            boolean atEnd = cut == ends[0] || cut == ends[1];
            assertThat(framer.atBoundary()).as("after %d bytes", cut).isEqualTo(atEnd);
            framer.advance(Unpooled.wrappedBuffer(all, cut, all.length - cut));
            assertThat(framer.atBoundary()).isTrue();
        }
    }

    @Test
    void findsTheFirstBoundaryInABufferThatHoldsSeveralMessages() {
        byte[] all = stream();
        MessageFramer framer = new MessageFramer();
        framer.advance(Unpooled.wrappedBuffer(all, 0, 3));

        assertThat(framer.advanceToBoundary(Unpooled.wrappedBuffer(all, 3, all.length - 3))).isEqualTo(7);
        assertThat(framer.advanceToBoundary(Unpooled.wrappedBuffer(all, 12, 5))).isEqualTo(-1);
        assertThat(framer.atBoundary()).isFalse();
    }

    @Test
    void aStartupMessageSurvivesParsingAndEncodingWithItsOrderAndANewDatabase() {
        ByteBuf packet = Unpooled.buffer();
        packet.writeInt(0).writeInt(PgWire.PROTOCOL_3);
        for (String s : new String[] {"user", "shop_owner", "database", "shop.ep1", "options", "-c x=1"}) {
            packet.writeCharSequence(s, StandardCharsets.UTF_8);
            packet.writeByte(0);
        }
        packet.writeByte(0);

        StartupMessage m = StartupMessage.parse(PgWire.PROTOCOL_3, packet.skipBytes(8));
        ByteBuf encoded = m.withDatabase("shop").encode(Unpooled.buffer().alloc());
        StartupMessage back = StartupMessage.parse(encoded.getInt(4), encoded.skipBytes(8));

        assertThat(back.parameters()).containsExactly(java.util.Map.entry("user", "shop_owner"),
                java.util.Map.entry("database", "shop"), java.util.Map.entry("options", "-c x=1"));
        assertThat(StartupMessage.parse(PgWire.PROTOCOL_3, Unpooled.wrappedBuffer("user\0x".getBytes(
                StandardCharsets.UTF_8)))).as("no terminator").isNull();
    }
}
